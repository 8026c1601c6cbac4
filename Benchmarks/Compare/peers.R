# R peers for compare.py: data.table::fread, glm and MatchIt on the same files.
#   Rscript peers.R TASK PATH SPEC_JSON_FILE [PAIRS_OUT]
# TASK: csv (fread, every column), ps / did (glm.fit, binomial logit, on a
# design built as compare.py's Python peers build it: factor levels sorted
# numerically, the first dropped, names "f=level"), match (MatchIt 1:1 nearest
# neighbour without replacement, logit score, caliper in score units, largest
# score first: DiDKit's --preset matchit; the pairs go to PAIRS_OUT).
# Prints one JSON line. Only base R, data.table and MatchIt (no jsonlite).
suppressPackageStartupMessages(library(data.table))
args <- commandArgs(trailingOnly = TRUE)
task <- args[1]; path <- args[2]
spec <- if (length(args) >= 3) readLines(args[3]) else character()
field <- function(key) {  # a flat JSON list of strings or one number, read by regex
  line <- paste(spec, collapse = "")
  m <- regmatches(line, regexec(paste0('"', key, '": *(\\[[^]]*\\]|[-0-9.e]+|"[^"]*")'), line))[[1]]
  if (length(m) < 2) return(character())
  v <- gsub('^\\[|\\]$', "", m[2])
  if (v == "") return(character())
  gsub('^ *"|" *$', "", strsplit(v, ",")[[1]])
}
num <- function(x) trimws(formatC(x, digits = 17, format = "g"))
jstr <- function(x) paste0("[", paste0('"', x, '"', collapse = ","), "]")
setDTthreads(0)  # all cores, as DiDKit uses

t0 <- proc.time()[["elapsed"]]
d <- fread(path, na.strings = c("NA", "."), showProgress = FALSE)
t_read <- proc.time()[["elapsed"]] - t0
if (task == "csv") {
  cat(sprintf('{"seconds": %s, "rows": %d, "threads": %d}\n', num(t_read), nrow(d), getDTthreads()))
  quit(save = "no")
}
numeric <- field("numeric"); factors <- field("factors")

dummies <- function(d, factors) {
  out <- list()
  for (f in factors) {
    x <- as.integer(d[[f]]); lv <- sort(unique(x))
    for (l in lv[-1]) out[[paste0(f, "=", l)]] <- as.numeric(x == l)
  }
  out
}

if (task == "match") {
  # MatchIt's correct path. Debian's MatchIt 4.5.1 (r-cran-matchit) calls abs()
  # on doubles in nn_matchC_vec, the path taken for a score vector; it resolves
  # to the integer abs there, so every left/right comparison ties and calipers
  # are ignored (MatchIt issue #163, fixed in 4.5.4; Docs/Matching.md). The
  # general path, taken for a distance matrix, is correct: the treated x
  # control matrix of |score difference| goes in as `distance`, the score from
  # the same logit glm. Rows are put in the order MatchIt's "largest" would
  # use (treated by descending score) and controls by ascending score, so that
  # "data" order and the first-minimum rule give MatchIt's order and DiDKit's
  # tie rule (lower score wins an equal distance; equal scores: data order).
  suppressPackageStartupMessages(library(MatchIt))
  caliper <- as.numeric(field("caliper"))
  d <- d[complete.cases(d[, c(numeric, factors, "participant"), with = FALSE])]
  for (f in factors) d[[f]] <- factor(d[[f]], levels = sort(unique(d[[f]])))
  fml <- as.formula(paste("participant ~", paste(c(numeric, factors), collapse = " + ")))
  df <- as.data.frame(d); rm(d)
  t0 <- proc.time()[["elapsed"]]
  ps <- fitted(glm(fml, data = df, family = binomial()))
  tr <- df$participant == 1
  o <- order(!tr, ifelse(tr, -ps, ps))
  df <- df[o, ]; ps <- ps[o]; tr <- tr[o]; rownames(df) <- NULL
  pt <- ps[tr]; pc <- ps[!tr]
  D <- matrix(0, length(pt), length(pc))  # filled in slabs: outer() at once needs 4x the matrix
  for (j in split(seq_along(pc), ceiling(seq_along(pc) / 4096))) D[, j] <- abs(outer(pt, pc[j], "-"))
  dimnames(D) <- list(rownames(df)[tr], rownames(df)[!tr])
  m <- matchit(participant ~ 1, data = df, distance = D, method = "nearest", replace = FALSE,
               caliper = caliper, std.caliper = FALSE, m.order = "data")
  fit <- proc.time()[["elapsed"]] - t0
  mm <- m$match.matrix
  ok <- !is.na(mm[, 1])
  pairs <- paste(df$pnr[as.integer(rownames(mm)[ok])], df$pnr[as.integer(mm[ok, 1])], sep = ">")
  writeLines(pairs, args[4])
  cat(sprintf('{"seconds": %s, "pairs": %d}\n', num(fit), sum(ok)))
  quit(save = "no")
}

if (task == "ps") {
  d <- d[complete.cases(d[, c(numeric, factors, "participant"), with = FALSE])]
  X <- c(lapply(setNames(numeric, numeric), function(v) as.numeric(d[[v]])), dummies(d, factors))
  y <- as.numeric(d$participant)
} else {  # did: window start-3..start+1 around the start year (controls' pseudo start 2014)
  start <- ifelse(is.na(d$start_year), 2014, d$start_year)
  e <- d$year - start
  keep <- e >= -3 & e <= 1
  d <- d[keep]; e <- e[keep]
  ok <- complete.cases(d[, c(numeric, factors, "leisure_job"), with = FALSE])
  d <- d[ok]; e <- e[ok]
  tr <- as.numeric(d$participant)
  X <- list(treated = tr)
  for (ev in c(-3, -2, 0, 1)) X[[paste0("event=", ev)]] <- as.numeric(e == ev)
  for (ev in c(-3, -2, 0, 1)) X[[paste0("treated:event=", ev)]] <- tr * (e == ev)
  X <- c(X, lapply(setNames(numeric, numeric), function(v) as.numeric(d[[v]])), dummies(d, factors))
  y <- as.numeric(d$leisure_job)
}
X$`_cons` <- rep(1, length(y))
Xm <- do.call(cbind, X)
rm(d, X); invisible(gc())
t0 <- proc.time()[["elapsed"]]
# epsilon: R's test is on the relative change in deviance; 1e-8 (the default)
# stops while coefficients still move at 1e-6, so agreement is checked at 1e-12.
r <- glm.fit(Xm, y, family = binomial(), control = glm.control(epsilon = 1e-12, maxit = 100))
fit <- proc.time()[["elapsed"]] - t0
cat(sprintf('{"seconds": %s, "iterations": %d, "names": %s, "coef": [%s]}\n', num(fit), r$iter,
            jstr(colnames(Xm)), paste(num(unname(r$coefficients)), collapse = ",")))
