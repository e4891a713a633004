"""The directory: communes, village cells, posts, members and households, imported from a file."""
