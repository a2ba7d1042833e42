"""Speed goals of the issues, run by `make bench`."""
