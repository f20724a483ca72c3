"""The writers of a release's files other than the tables: codebook, data package,
changelog, citation, page, checksums, and `release_files`, which assembles them; also
the README's table list and the curators' guide's field reference."""
