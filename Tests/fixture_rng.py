"""The counter-based SplitMix64 stream shared by DiDKit's fixture scripts.

Output k (1-based) is mix(seed + k * 0x9E3779B97F4A7C15), as in
Sources/Distributions/SplitMix64.swift; uniforms are (x >> 11) * 2^-53.
"""
import numpy as np

GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def splitmix_uniforms(seed, count):
    k = np.arange(1, count + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + k * GOLDEN
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53
