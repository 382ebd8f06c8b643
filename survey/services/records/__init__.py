"""The one-stop records: the procedure catalogue (procedures.py), the dossier statistics and
catalogue imported from the one-stop software (imports.py), and the province's PAR INDEX
series (par_index.py)."""
