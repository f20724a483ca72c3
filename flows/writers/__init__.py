"""The writers of a release's files other than the tables (codebook, data package,
changes, citation, Zenodo record, page), and `package`, the step that makes every file of a
release once per run from them; also the README's table list and the curators' guide's
field reference. They build on `flows/steps/` and never import `flows/orchestration/`."""
