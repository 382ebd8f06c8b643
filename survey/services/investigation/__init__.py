"""A sampled investigation (issue #20): design, frame import, contacts, draw, cases.

Small modules, each taking plain data and flushing (the caller commits): `design` and
`planner` (the plan and its size), `reader` and `frame_import` (the frame), `contacts`
(sealed contact details), `draw` (the sample), `cases` (links and statuses), `investigations`
(create, summary, fieldwork, close). The statistics are analysis/'s.
"""
