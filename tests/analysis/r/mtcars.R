# The rwa README's example data (R's datasets::mtcars), for tests/analysis/test_analysis_drivers_scales.py.
# Usage: Rscript mtcars.R <output dir>
args <- commandArgs(trailingOnly = TRUE)
cars <- datasets::mtcars[, c("mpg", "cyl", "disp", "hp", "gear")]
write.csv(cbind(car = rownames(cars), cars), file.path(args[1], "mtcars.csv"), row.names = FALSE)
