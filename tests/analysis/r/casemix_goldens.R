# Golden case-mix adjusted municipality scores from R's survey package, for
# tests/analysis/test_analysis_casemix_against_r.py (issue 16: the adjusted score's interval).
#
# Usage: Rscript casemix_goldens.R <input dir> <output dir>
#   input: tests/weighting/r (responses.csv, population.csv, poststrata.csv, as survey_goldens.R uses them)
#   output: golden_casemix.csv (method, kommune, n, observed, expected, adjusted, se, coefficient check)
#
# Per design (the same five as inference_goldens.R) and municipality, on subset(design, !is.na(tillid)):
#   fit       svyglm(tillid ~ maalgruppe + alder + koen + status)         no municipal term
#   observed  svyby(~tillid, ~kommune, svymean)
#   expected  svyby(~pred, ~kommune, svymean), pred = the model's prediction for each respondent
#   adjusted  svymean(~tillid) + observed - expected                       (indirect standardisation)
#   se        SE of observed - expected = the municipality's mean residual, the model's uncertainty included.
#             An independent route to the one in borgerblik.analysis.casemix (influence values): the delta
#             method on totals. svytotal gives the joint design-based covariance (strata, fpc, calibration) of
#             the totals the score is a function of — X'WX, X'Wy and, per municipality, W_k, (Wy)_k, (WX)_k —
#             and the score e_k = ((Wy)_k - (WX)_k' b) / W_k with b = solve(X'WX, X'Wy) is differentiated by
#             hand: de/d(Wy)_k = 1/W_k, de/d(WX)_k = -b/W_k, de/dW_k = -e/W_k, de/d(X'Wy) = -a,
#             de/d(X'WX)_ij = a_i b_j (+ a_j b_i off the diagonal), a = solve(X'WX, xbar_k).
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
code <- suppressWarnings(as.numeric(resp$tillid))
resp$tillid <- ifelse(!is.na(code) & code >= 1 & code <= 5, code, NA)
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
# the regressors and the totals the score is a function of, as columns of the data
model_formula <- ~ maalgruppe + alder + koen + status
x <- model.matrix(model_formula, resp)
p <- ncol(x)
colnames(x) <- paste0("x", seq_len(p))
y0 <- ifelse(is.na(resp$tillid), 0, resp$tillid)
kommuner <- sort(unique(resp$kommune))
pairs <- which(upper.tri(diag(p), diag = TRUE), arr.ind = TRUE)
totals <- list()
for (r in seq_len(nrow(pairs))) {
  totals[[sprintf("xx_%d_%d", pairs[r, 1], pairs[r, 2])]] <- x[, pairs[r, 1]] * x[, pairs[r, 2]]
}
for (j in seq_len(p)) totals[[sprintf("xy_%d", j)]] <- x[, j] * y0
for (k in seq_along(kommuner)) {
  member <- as.numeric(resp$kommune == kommuner[k])
  totals[[sprintf("w_%d", k)]] <- member
  totals[[sprintf("wy_%d", k)]] <- member * y0
  for (j in seq_len(p)) totals[[sprintf("wx_%d_%d", k, j)]] <- member * x[, j]
}
resp <- cbind(resp, as.data.frame(totals))
names_of_totals <- names(totals)
total_formula <- as.formula(paste("~", paste(names_of_totals, collapse = " + ")))

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
f <- function(value) sprintf("%.17g", value)
rows <- list()
for (method in names(designs)) {
  valid <- subset(designs[[method]], !is.na(tillid))
  fit <- suppressWarnings(svyglm(update(model_formula, tillid ~ .), valid))
  valid <- update(valid, pred = as.vector(model.matrix(model_formula, valid$variables) %*% coef(fit)))
  national <- coef(svymean(~tillid, valid, na.rm = TRUE))
  observed <- svyby(~tillid, ~kommune, valid, svymean, na.rm = TRUE)
  expected <- svyby(~pred, ~kommune, valid, svymean)
  counts <- svyby(~tillid, ~kommune, valid, unwtd.count)
  est <- svytotal(total_formula, valid)
  v <- vcov(est)
  t <- coef(est)
  m <- matrix(0, p, p)
  for (r in seq_len(nrow(pairs))) {
    i <- pairs[r, 1]
    j <- pairs[r, 2]
    m[i, j] <- t[[sprintf("xx_%d_%d", i, j)]]
    m[j, i] <- m[i, j]
  }
  b <- solve(m, t[sprintf("xy_%d", seq_len(p))])
  stopifnot(max(abs(b - coef(fit))) < 1e-9)
  for (k in seq_along(kommuner)) {
    w_k <- t[[sprintf("w_%d", k)]]
    wx <- t[sprintf("wx_%d_%d", k, seq_len(p))]
    e <- (t[[sprintf("wy_%d", k)]] - sum(wx * b)) / w_k
    a <- solve(m, wx / w_k)
    g <- setNames(numeric(length(names_of_totals)), names_of_totals)
    g[[sprintf("wy_%d", k)]] <- 1 / w_k
    g[sprintf("wx_%d_%d", k, seq_len(p))] <- -b / w_k
    g[[sprintf("w_%d", k)]] <- -e / w_k
    g[sprintf("xy_%d", seq_len(p))] <- -a
    for (r in seq_len(nrow(pairs))) {
      i <- pairs[r, 1]
      j <- pairs[r, 2]
      g[[sprintf("xx_%d_%d", i, j)]] <- if (i == j) a[i] * b[i] else a[i] * b[j] + a[j] * b[i]
    }
    se <- sqrt(as.numeric(t(g) %*% v %*% g))
    name <- kommuner[k]
    rows[[length(rows) + 1]] <- data.frame(
      method = method, kommune = name, n = counts[name, "counts"],
      observed = f(coef(observed)[[name]]), expected = f(coef(expected)[[name]]),
      adjusted = f(national + coef(observed)[[name]] - coef(expected)[[name]]), se = f(se),
      mean_residual = f(e)
    )
  }
}
write.csv(do.call(rbind, rows), file.path(output, "golden_casemix.csv"), row.names = FALSE,
          fileEncoding = "UTF-8")
