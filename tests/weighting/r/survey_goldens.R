# Golden estimates from R's survey package for tests/weighting/test_weighting_against_r.py.
#
# Usage: Rscript survey_goldens.R <input dir> <output dir>
# Inputs (written by tests/weighting/weighting_data.py:write_r_inputs): responses.csv, population.csv,
# poststrata.csv. Outputs: golden_weights.csv (respondent_id, method, weight) and golden_estimates.csv
# (method, question, by, group, stat, estimate, se) for the designs
#   poststratify  svydesign(ids=~1, strata=~cell, fpc=~N) + postStratify(~poststratum)
#   rake_srs      svydesign(ids=~1) + rake(kommune, koen, alder, maalgruppe)   (--design srs; raking on the
#                 cells as sampling strata changes nothing and is refused)
#   poststratify_srs  svydesign(ids=~1) + postStratify(~poststratum)             (--design srs)
#   trim          the post-stratified design + trimWeights(upper = 40)
#   fixed         svydesign(ids=~1, weights=~fixed_weight)
#   poststratify_kommune, rake_kommune   the same calibrations on svydesign(ids=~1, strata=~kommune,
#                 fpc=~N_kommune): sampling strata coarser than the calibration cells
# Statistics per question and domain (svyby over a subset to the valid answers 1-5): mean score,
# shares of categories 1-5 and the share positive (4 or 5).
suppressMessages(library(survey))
options(survey.lonely.psu = "adjust")
args <- commandArgs(trailingOnly = TRUE)
input <- args[1]
output <- args[2]
read <- function(name) read.csv(file.path(input, name), colClasses = "character", encoding = "UTF-8")
resp <- read("responses.csv")
pop <- read("population.csv")
ps <- read("poststrata.csv")
resp$N <- as.numeric(resp$N)
resp$fixed_weight <- as.numeric(resp$fixed_weight)
resp$N_kommune <- as.numeric(resp$N_kommune)
questions <- c("tillid", "taettere_job", "samlet_tilfredshed")
by_columns <- c("alder", "status")
for (q in questions) {
  code <- suppressWarnings(as.numeric(resp[[q]]))
  valid <- !is.na(code) & code >= 1 & code <= 5
  resp[[paste0(q, "_valid")]] <- valid
  resp[[paste0(q, "_score")]] <- ifelse(valid, code, 0)
  for (k in 1:5) resp[[paste0(q, "_", k)]] <- as.numeric(valid & code == k)
  resp[[paste0(q, "_pos")]] <- as.numeric(valid & code >= 4)
}
resp$overall <- "all"

base <- svydesign(ids = ~1, strata = ~cell, fpc = ~N, data = resp)
ps_table <- data.frame(poststratum = ps$poststratum, Freq = as.numeric(ps$Freq))
post <- postStratify(base, ~poststratum, ps_table)
pop$count <- as.numeric(pop$count)
margin <- function(column) {
  totals <- aggregate(pop$count, by = list(pop[[column]]), FUN = sum)
  names(totals) <- c(column, "Freq")
  totals
}
srs <- suppressWarnings(svydesign(ids = ~1, data = resp))
post_srs <- postStratify(srs, ~poststratum, ps_table)
raked <- rake(
  srs,
  list(~kommune, ~koen, ~alder, ~maalgruppe),
  lapply(c("kommune", "koen", "alder", "maalgruppe"), margin),
  control = list(maxit = 500, epsilon = 1e-13)
)
trimmed <- trimWeights(post, upper = 40)
fixed <- svydesign(ids = ~1, weights = ~fixed_weight, data = resp)
by_kommune <- svydesign(ids = ~1, strata = ~kommune, fpc = ~N_kommune, data = resp)
post_kommune <- postStratify(by_kommune, ~poststratum, ps_table)
rake_kommune <- rake(
  by_kommune,
  list(~kommune, ~koen, ~alder, ~maalgruppe),
  lapply(c("kommune", "koen", "alder", "maalgruppe"), margin),
  control = list(maxit = 500, epsilon = 1e-13)
)
designs <- list(poststratify = post, rake_srs = raked, poststratify_srs = post_srs, trim = trimmed, fixed = fixed,
                poststratify_kommune = post_kommune, rake_kommune = rake_kommune)

stats <- c("score", "1", "2", "3", "4", "5", "pos")
names_out <- c("mean", "share_1", "share_2", "share_3", "share_4", "share_5", "pct_positive")
rows <- list()
weights_out <- list()
for (method in names(designs)) {
  design <- designs[[method]]
  weights_out[[method]] <- data.frame(respondent_id = resp$respondent_id, method = method,
                                      weight = sprintf("%.17g", weights(design)))
  for (q in questions) {
    vars <- paste0(q, "_", stats)
    formula <- as.formula(paste("~", paste(vars, collapse = "+")))
    domain <- subset(design, resp[[paste0(q, "_valid")]])
    for (by in c("overall", by_columns)) {
      result <- svyby(formula, as.formula(paste0("~", by)), domain, svymean, keep.var = TRUE)
      groups <- as.character(result[[by]])
      for (g in seq_along(groups)) {
        for (s in seq_along(stats)) {
          rows[[length(rows) + 1]] <- data.frame(
            method = method, question = q, by = by,
            group = if (by == "overall") "" else groups[g], stat = names_out[s],
            estimate = sprintf("%.17g", result[[vars[s]]][g]),
            se = sprintf("%.17g", result[[paste0("se.", vars[s])]][g])
          )
        }
      }
    }
  }
}
write.csv(do.call(rbind, rows), file.path(output, "golden_estimates.csv"), row.names = FALSE)
write.csv(do.call(rbind, weights_out), file.path(output, "golden_weights.csv"), row.names = FALSE)
