# Golden tests and regressions from R's survey package for tests/weighting/test_weighting_inference_against_r.py.
#
# Usage: Rscript inference_goldens.R <input dir> <output dir>
# Inputs: the same responses.csv, population.csv and poststrata.csv as survey_goldens.R.
# Output: golden_inference.csv (method, test, term, estimate, se, statistic, df, p_value) for the designs
#   poststratify        svydesign(ids=~1, strata=~cell, fpc=~N) + postStratify(~poststratum)
#   poststratify_srs    svydesign(ids=~1) + postStratify(~poststratum)            (--design srs)
#   rake_srs            svydesign(ids=~1) + rake(kommune, koen, alder, maalgruppe) (--design srs)
#   rake_kommune        svydesign(ids=~1, strata=~kommune, fpc=~N_kommune) + rake(...)
#   fixed               svydesign(ids=~1, weights=~fixed_weight)
# Tests (each on subset(design, valid answer)):
#   kommune_vs_rest     svyttest(tillid ~ I(kommune == "Albertslund"))          municipality vs the rest
#   age_vs_age          svyttest(samlet ~ I(alder == "50-66")) on alder in {16-29, 50-66}   group vs group
#   contrast            svyglm(tillid ~ 0 + kommune) + svycontrast(Brøndby - Albertslund): domain means
#   controls            svyglm(tillid ~ I(kommune == "Albertslund") + koen + status)  every coefficient
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
for (q in c("tillid", "samlet_tilfredshed")) {
  code <- suppressWarnings(as.numeric(resp[[q]]))
  resp[[q]] <- ifelse(!is.na(code) & code >= 1 & code <= 5, code, NA)
}
resp$albertslund <- as.numeric(resp$kommune == "Albertslund")
resp$old <- as.numeric(resp$alder == "50-66")
ps_table <- data.frame(poststratum = ps$poststratum, Freq = as.numeric(ps$Freq))
pop$count <- as.numeric(pop$count)
margin <- function(column) {
  totals <- aggregate(pop$count, by = list(pop[[column]]), FUN = sum)
  names(totals) <- c(column, "Freq")
  totals
}
rake_all <- function(design) {
  rake(design, list(~kommune, ~koen, ~alder, ~maalgruppe),
       lapply(c("kommune", "koen", "alder", "maalgruppe"), margin),
       control = list(maxit = 500, epsilon = 1e-13))
}
base <- svydesign(ids = ~1, strata = ~cell, fpc = ~N, data = resp)
srs <- suppressWarnings(svydesign(ids = ~1, data = resp))
by_kommune <- svydesign(ids = ~1, strata = ~kommune, fpc = ~N_kommune, data = resp)
designs <- list(
  poststratify = postStratify(base, ~poststratum, ps_table),
  poststratify_srs = postStratify(srs, ~poststratum, ps_table),
  rake_srs = rake_all(srs),
  rake_kommune = rake_all(by_kommune),
  fixed = svydesign(ids = ~1, weights = ~fixed_weight, data = resp)
)
f <- function(x) sprintf("%.17g", x)
rows <- list()
add <- function(method, test, term, estimate, se, statistic = NA, df = NA, p = NA) {
  rows[[length(rows) + 1]] <<- data.frame(method = method, test = test, term = term, estimate = f(estimate),
                                          se = f(se), statistic = f(statistic), df = f(df), p_value = f(p))
}
for (method in names(designs)) {
  design <- designs[[method]]
  valid <- subset(design, !is.na(tillid))
  t1 <- suppressWarnings(svyttest(tillid ~ albertslund, valid))
  add(method, "kommune_vs_rest", "albertslund", t1$estimate, t1$estimate / t1$statistic, t1$statistic,
      t1$parameter, t1$p.value)
  ages <- subset(design, !is.na(samlet_tilfredshed) & alder %in% c("16-29", "50-66"))
  t2 <- suppressWarnings(svyttest(samlet_tilfredshed ~ old, ages))
  add(method, "age_vs_age", "old", t2$estimate, t2$estimate / t2$statistic, t2$statistic, t2$parameter,
      t2$p.value)
  # svyby(covmat=TRUE) stops on calibrated designs in survey 4.1 ("number of items to replace"), so the
  # joint domain means come from svyglm(tillid ~ 0 + kommune), the same linearisation of the same means
  means <- suppressWarnings(svyglm(tillid ~ 0 + kommune, valid))
  contrast <- svycontrast(means, c("kommuneBrøndby" = 1, "kommuneAlbertslund" = -1))
  add(method, "contrast", "Brøndby-Albertslund", coef(contrast), SE(contrast))
  model <- suppressWarnings(svyglm(tillid ~ albertslund + koen + status, valid))
  table <- summary(model)$coefficients
  for (term in rownames(table)) {
    add(method, "controls", term, table[term, 1], table[term, 2], table[term, 3], model$df.residual,
        table[term, 4])
  }
}
write.csv(do.call(rbind, rows), file.path(output, "golden_inference.csv"), row.names = FALSE)
