"""The export's rows and CSV cells on PostgreSQL, against rows built from the ORM objects: the
answers are read there through json_object_agg, not SQLite's json_group_object."""

import pytest

from tests.survey.test_export_rows import build_responses, check_export

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("stream", ["survey", "dossier_rating"])
def test_rows_and_csv_cells_equal_the_orm_objects_on_postgres(pg_ctx, stream):
    build_responses()
    check_export(stream)
    if stream == "survey":
        check_export(stream, unit="P-H1")
