import RealModule

// Special functions behind the distribution functions. Hand-written because no
// Swift package provides regularised incomplete gamma/beta functions;
// swift-numerics supplies the elementary ones (logGamma, erfc, log(onePlus:)).
//
// Sources:
// - Regularised incomplete gamma: series for P when x < a + 1, Lentz's
//   continued fraction for Q otherwise (Press et al., Numerical Recipes, 3rd ed.,
//   sec. 6.2); the prefactor x^a e^{-x} / Gamma(a) is evaluated as
//   sqrt(a / 2pi) exp(a * log1pmx((x - a) / a) - stirling(a)) for a >= 10, which
//   keeps full relative precision for large a (Temme; Boost.Math's
//   `regularised_gamma_prefix` uses the same idea).
// - Regularised incomplete beta: Lentz's continued fraction (Numerical
//   Recipes sec. 6.4; DiDonato & Morris 1992, ACM TOMS 18, 360-373), with the
//   prefactor x^a y^b / (a B(a, b)) computed from log1p where x or y is close
//   to 1, and log B(a, b) from a Stirling-corrected log-gamma ratio when one
//   argument is large.

/// Stirling's series remainder: `logGamma(x) - [(x - 0.5) log x - x + 0.5 log(2 pi)]`,
/// accurate to double precision for `x >= 10`.
func stirlingCorrection(_ x: Double) -> Double {
    // Bernoulli-number coefficients B_2k / (2k (2k - 1)).
    let c: [Double] = [
        1.0 / 12.0, -1.0 / 360.0, 1.0 / 1260.0, -1.0 / 1680.0, 1.0 / 1188.0,
        -691.0 / 360360.0, 1.0 / 156.0, -3617.0 / 122400.0,
    ]
    let x2 = 1 / (x * x)
    var sum = 0.0
    for k in stride(from: c.count - 1, through: 0, by: -1) { sum = sum * x2 + c[k] }
    return sum / x
}

/// `log(1 + d) - d`, accurate for small `d` (series) and large `d`.
func log1pmx(_ d: Double) -> Double {
    if Swift.abs(d) < 0.2 {
        // -d^2/2 + d^3/3 - d^4/4 + ...
        var term = -d
        var sum = 0.0
        var k = 2.0
        while true {
            term *= -d
            let add = term / k
            sum -= add
            if Swift.abs(add) <= 1e-17 * Swift.abs(sum) || k > 200 { break }
            k += 1
        }
        // sum currently = -(d^2/2 - d^3/3 + ...) computed with alternating signs
        return sum
    }
    return Double.log(onePlus: d) - d
}

/// `log Gamma(a) - log Gamma(a + b)` without cancellation when `a` is large.
func logGammaRatio(_ a: Double, _ b: Double) -> Double {
    if a >= 10 {
        // (a - 0.5) log a - (a + b - 0.5) log(a + b) + b + corrections
        let t1 = -(a - 0.5) * Double.log(onePlus: b / a)
        let t2 = -b * Double.log(a + b)
        return t1 + t2 + b + stirlingCorrection(a) - stirlingCorrection(a + b)
    }
    return Double.logGamma(a) - Double.logGamma(a + b)
}

/// `log B(a, b)`.
func logBeta(_ a: Double, _ b: Double) -> Double {
    let big = Swift.max(a, b), small = Swift.min(a, b)
    if big >= 10 {
        if small >= 10 {
            // Both large: symmetric Stirling form.
            let s = a + b
            let v = 0.5 * Double.log(2 * Double.pi) - 0.5 * Double.log(big)
                + (small - 0.5) * Double.log(small / s)
                + big * Double.log(onePlus: -small / s)
                + stirlingCorrection(small) + stirlingCorrection(big) - stirlingCorrection(s)
            return v
        }
        return Double.logGamma(small) + logGammaRatio(big, small)
    }
    return Double.logGamma(a) + Double.logGamma(b) - Double.logGamma(a + b)
}

/// `x^a e^{-x} / Gamma(a)` with full relative precision for large `a`.
func gammaPrefix(_ a: Double, _ x: Double) -> Double {
    if x == 0 { return 0 }
    if a >= 10 {
        // a log(x/a) + a - x, written as a * log1pmx(d) near the mode to avoid cancellation.
        let d = (x - a) / a
        let core = Swift.abs(d) < 0.5 ? a * log1pmx(d) : a * Double.log(x / a) + (a - x)
        return (a / (2 * Double.pi)).squareRoot() * Double.exp(core - stirlingCorrection(a))
    }
    return Double.exp(a * Double.log(x) - x - Double.logGamma(a))
}

/// Regularised incomplete gamma functions `(P(a, x), Q(a, x))`, each accurate
/// in relative terms when it is the smaller of the two.
public func regularizedGamma(_ a: Double, _ x: Double) -> (p: Double, q: Double) {
    precondition(a > 0, "regularizedGamma: a must be positive")
    if x.isNaN { return (.nan, .nan) }
    if x <= 0 { return (0, 1) }
    if x == .infinity { return (1, 0) }
    let prefix = gammaPrefix(a, x)
    if x < a + 1 {
        // Series: P = prefix / a * sum_{n>=0} x^n / ((a+1)...(a+n))
        var term = 1.0 / a
        var sum = term
        var ap = a
        for _ in 0..<100_000 {
            ap += 1
            term *= x / ap
            sum += term
            if Swift.abs(term) < Swift.abs(sum) * 1e-17 { break }
        }
        let p = prefix * sum
        return (p, 1 - p)
    }
    // Continued fraction for Q (modified Lentz).
    let tiny = 1e-300
    var b = x + 1 - a
    var c = 1 / tiny
    var d = 1 / b
    var h = d
    var i = 1.0
    while i < 100_000 {
        let an = -i * (i - a)
        b += 2
        d = an * d + b
        if Swift.abs(d) < tiny { d = tiny }
        c = b + an / c
        if Swift.abs(c) < tiny { c = tiny }
        d = 1 / d
        let del = d * c
        h *= del
        if Swift.abs(del - 1) < 1e-16 { break }
        i += 1
    }
    let q = prefix * h
    return (1 - q, q)
}

/// Continued fraction for the incomplete beta (modified Lentz), `x < (a+1)/(a+b+2)`.
private func betaContinuedFraction(_ a: Double, _ b: Double, _ x: Double) -> Double {
    let tiny = 1e-300
    let qab = a + b, qap = a + 1, qam = a - 1
    var c = 1.0
    var d = 1 - qab * x / qap
    if Swift.abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    var m = 1.0
    while m < 1_000_000 {
        let m2 = 2 * m
        var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        if Swift.abs(d) < tiny { d = tiny }
        c = 1 + aa / c
        if Swift.abs(c) < tiny { c = tiny }
        d = 1 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        if Swift.abs(d) < tiny { d = tiny }
        c = 1 + aa / c
        if Swift.abs(c) < tiny { c = tiny }
        d = 1 / d
        let del = d * c
        h *= del
        if Swift.abs(del - 1) < 1e-16 { break }
        m += 1
    }
    return h
}

/// `log(x^a y^b / B(a, b))` where `y = 1 - x` is passed separately so that
/// either can be tiny without cancellation.
private func betaLogPrefix(_ a: Double, _ b: Double, _ x: Double, _ y: Double) -> Double {
    let lx = x > 0.5 ? Double.log(onePlus: -y) : Double.log(x)
    let ly = y > 0.5 ? Double.log(onePlus: -x) : Double.log(y)
    if a >= 10 && b >= 10 {
        // Both large: write the prefix around the mode to avoid cancelling O(a) terms.
        let s = a + b
        let x0 = a / s, y0 = b / s
        let dx = (x - x0) / x0, dy = (y - y0) / y0
        let lead = 0.5 * Double.log(a * b / (2 * Double.pi * s))
        let corr = -stirlingCorrection(a) - stirlingCorrection(b) + stirlingCorrection(s)
        if Swift.abs(dx) < 0.5 && Swift.abs(dy) < 0.5 {
            // a log(x/x0) + b log(y/y0) = a log1pmx(dx) + b log1pmx(dy) + s (x - x0 + y - y0); the last term is 0.
            return a * log1pmx(dx) + b * log1pmx(dy) + lead + corr
        }
        let lxr = x > 0.5 ? Double.log(onePlus: -y) - Double.log(x0) : Double.log(x / x0)
        let lyr = y > 0.5 ? Double.log(onePlus: -x) - Double.log(y0) : Double.log(y / y0)
        return a * lxr + b * lyr + lead + corr
    }
    return a * lx + b * ly - logBeta(a, b)
}

/// `I_x(a, b)` for large `a` (>= 15), small `b` (<= 1) and `x` near 1, by the
/// asymptotic expansion of DiDonato & Morris (1992, ACM TOMS 18, 360-373,
/// "BGRAT"): with `nu = a + (b - 1)/2` and `z = -nu log x`,
/// `I_x(a, b) = Gamma(a+b) / (Gamma(a) nu^b) * sum_n d_n J_n(b, z) * (z^b e^{-z} / Gamma(b))`,
/// where `J_0 = Q(b, z) Gamma(b) e^z z^-b` and the `J_n`, `d_n` follow the
/// paper's recurrences. The continued fraction needs O(sqrt a) steps here and
/// loses about 1e-12 relative at a = 5e4; this expansion keeps ~1e-15.
/// Returns `nil` if the expansion does not converge (the caller falls back).
private func betaAsymptoticLargeA(_ a: Double, _ b: Double, x: Double, y: Double) -> Double? {
    let bm1 = b - 1
    let nu = a + 0.5 * bm1
    let lnx = y > 0.375 ? Double.log(x) : Double.log(onePlus: -y)
    let z = -nu * lnx
    if !(z > 0) { return nil }
    // r = z^b e^{-z} / Gamma(b), with e^{-z} = x^nu.
    let logR = b * Double.log(z) - z - Double.logGamma(b)
    // u = r * Gamma(a+b) / (Gamma(a) nu^b)
    let logU = logR - logGammaRatio(a, b) - b * Double.log(nu)
    let u = Double.exp(logU)
    if !(u > 0) { return nil }
    let q = regularizedGamma(b, z).q
    let r = Double.exp(logR)
    let v = 0.25 / (nu * nu)
    let t2 = 0.25 * lnx * lnx
    var j = q / r
    var sum = j
    var t = 1.0
    var cn = 1.0
    var n2 = 0.0
    var c = [Double](repeating: 0, count: 31)
    var d = [Double](repeating: 0, count: 31)
    for n in 1...30 {
        let bp2n = b + n2
        j = (bp2n * (bp2n + 1) * j + (z + bp2n + 1) * t) * v
        n2 += 2
        t *= t2
        cn /= n2 * (n2 + 1)
        c[n] = cn
        var sTerm = 0.0
        if n > 1 {
            var coef = b - Double(n)
            for i in 1..<n {
                sTerm += coef * c[i] * d[n - i]
                coef += b
            }
        }
        d[n] = bm1 * cn + sTerm / Double(n)
        let dj = d[n] * j
        sum += dj
        if sum <= 0 { return nil }
        if Swift.abs(dj) <= 1e-16 * sum { return u * sum }
    }
    return nil
}

/// Regularised incomplete beta `(I_x(a, b), 1 - I_x(a, b))` with `y = 1 - x`
/// given separately; the smaller one is accurate in relative terms.
public func regularizedBeta(_ a: Double, _ b: Double, x: Double, y: Double) -> (p: Double, q: Double) {
    precondition(a > 0 && b > 0, "regularizedBeta: a and b must be positive")
    if x.isNaN || y.isNaN { return (.nan, .nan) }
    if x <= 0 { return (0, 1) }
    if y <= 0 { return (1, 0) }
    // Large a, small b, x near 1: the asymptotic expansion (and its mirror image).
    if a >= 15 && b <= 1 && x > 0.7, let v = betaAsymptoticLargeA(a, b, x: x, y: y) { return (v, 1 - v) }
    if b >= 15 && a <= 1 && y > 0.7, let v = betaAsymptoticLargeA(b, a, x: y, y: x) { return (1 - v, v) }
    if x < (a + 1) / (a + b + 2) {
        let v = Double.exp(betaLogPrefix(a, b, x, y)) * betaContinuedFraction(a, b, x) / a
        return (v, 1 - v)
    }
    let v = Double.exp(betaLogPrefix(b, a, y, x)) * betaContinuedFraction(b, a, y) / b
    return (1 - v, v)
}
