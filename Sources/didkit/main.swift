import Regression
import Tabular
let t = try CSVReader.read(path: "Tests/RegressionTests/Fixtures/hl-alr-table2-2-birthwt-logit/data.csv")
let d = try DesignMatrix.build(t, ModelSpecification(outcome: "low", covariates: ["age", "lwt", "race", "ftv"], factors: ["race"]))
let f = try LogisticRegression().fit(d)
for r in try f.inference().rows { print(r.name, r.coefficient, r.standardError, r.oddsRatio!, r.oddsRatioCILower!, r.oddsRatioCIUpper!) }
print(-2*f.logLikelihood, -2*f.nullLogLikelihood!, f.likelihoodRatioChi2!, f.iterations, f.converged)
let m = try CSVReader.read(path: "Tests/RegressionTests/Fixtures/wooldridge-ex17-1-mroz-logit/data.csv")
let dm = try DesignMatrix.build(m, ModelSpecification(outcome: "inlf", covariates: ["nwifeinc","educ","exper","expersq","age","kidslt6","kidsge6"]))
let fm = try LogisticRegression().fit(dm)
for r in try fm.inference().rows { print(r.name, r.coefficient, r.standardError) }
print(fm.logLikelihood, fm.pseudoR2!, fm.percentCorrectlyPredicted(y: dm.response!))
let fp = try LogisticRegression(link: .probit).fit(dm)
for r in try fp.inference().rows { print("probit", r.name, r.coefficient, r.standardError) }
print(fp.logLikelihood)
let inj = try CSVReader.read(path: "Tests/RegressionTests/Fixtures/wooldridge-ex13-4-injury-did/data.csv")
let ky = try inj.numeric("ky")
let sub = inj.selectingRows(ky.indices.filter { ky[$0] == 1 })
let di = try DesignMatrix.build(sub, ModelSpecification(outcome: "ldurat", covariates: ["afchnge","highearn","afhigh"]))
let fo = try LinearRegression().fit(di)
for r in try fo.inference().rows { print(r.name, r.coefficient, r.standardError) }
print(fo.observations, fo.rSquared)
for r in try fo.inference(vce: .robust).rows { print("HC1", r.name, r.standardError) }
