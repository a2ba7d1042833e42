"""Data in and out: analysis exports (SPSS, Stata, Excel, CSV, Parquet) with a codebook, XLSForm, answers
collected elsewhere, and Digital Post messages in the MeMo format."""
