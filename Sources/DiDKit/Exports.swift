// DiDKit: the umbrella module. `import DiDKit` gives the whole library:
// numeric core, distributions, tables and CSV, regression, matching, panels,
// plots, Stata/SAS/SPSS register files (RegisterFiles), and the study pipeline and reports defined here.
@_exported import Design
@_exported import Distributions
@_exported import ETWFE
@_exported import Estimation
@_exported import Linalg
@_exported import Matching
@_exported import Panel
@_exported import Plots
@_exported import Regression
@_exported import Staggered
@_exported import Tabular
@_exported import TreatmentEffects
@_exported import RegisterFiles
