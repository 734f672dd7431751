/// The standard normal quantile function (inverse CDF), Wichura's algorithm AS241 `PPND16` (Applied Statistics 37,
/// 1988): rational approximations accurate to about 1e-16 relative, evaluated with a deterministic polynomial `log`
/// (no libm), so the result is the same on every machine.
public enum GaussianQuantile {
    /// `x` with `Phi(x) = p`, for `p` in (0, 1). Returns -inf / +inf at 0 / 1 and NaN outside [0, 1].
    @inlinable
    public static func quantile(_ p: Double) -> Double {
        guard p > 0 && p < 1 else { return p == 0 ? -.infinity : p == 1 ? .infinity : .nan }
        let q = p - 0.5
        if abs(q) <= 0.425 {
            let r = 0.180625 - q * q
            var num = 2.509_080_928_730_122_672_7e+3
            num = num * r + 3.343_057_558_358_812_810_5e+4
            num = num * r + 6.726_577_092_700_870_085_3e+4
            num = num * r + 4.592_195_393_154_987_145_7e+4
            num = num * r + 1.373_169_376_550_946_112_5e+4
            num = num * r + 1.971_590_950_306_551_442_7e+3
            num = num * r + 1.331_416_678_917_843_774_5e+2
            num = num * r + 3.387_132_872_796_366_608_0e+0
            var den = 5.226_495_278_852_854_561_0e+3
            den = den * r + 2.872_908_573_572_194_267_4e+4
            den = den * r + 3.930_789_580_009_271_061_0e+4
            den = den * r + 2.121_379_430_158_659_586_7e+4
            den = den * r + 5.394_196_021_424_751_107_7e+3
            den = den * r + 6.871_870_074_920_579_083_0e+2
            den = den * r + 4.231_333_070_160_091_125_2e+1
            den = den * r + 1
            return q * num / den
        }
        var r = (-log(q < 0 ? p : 1 - p)).squareRoot()
        let x: Double
        if r <= 5 {
            r -= 1.6
            var num = 7.745_450_142_783_414_076_40e-4
            num = num * r + 2.272_384_498_926_918_458_33e-2
            num = num * r + 2.417_807_251_774_506_117_70e-1
            num = num * r + 1.270_458_252_452_368_382_58e+0
            num = num * r + 3.647_848_324_763_204_605_04e+0
            num = num * r + 5.769_497_221_460_691_405_50e+0
            num = num * r + 4.630_337_846_156_545_295_90e+0
            num = num * r + 1.423_437_110_749_683_577_34e+0
            var den = 1.050_750_071_644_416_843_24e-9
            den = den * r + 5.475_938_084_995_344_946_00e-4
            den = den * r + 1.519_866_656_361_645_719_66e-2
            den = den * r + 1.481_039_764_274_800_745_90e-1
            den = den * r + 6.897_673_349_851_000_045_50e-1
            den = den * r + 1.676_384_830_183_803_849_40e+0
            den = den * r + 2.053_191_626_637_758_821_87e+0
            den = den * r + 1
            x = num / den
        } else {
            r -= 5
            var num = 2.010_334_399_292_288_132_65e-7
            num = num * r + 2.711_555_568_743_487_578_15e-5
            num = num * r + 1.242_660_947_388_078_438_60e-3
            num = num * r + 2.653_218_952_657_612_309_30e-2
            num = num * r + 2.965_605_718_285_048_912_30e-1
            num = num * r + 1.784_826_539_917_291_335_80e+0
            num = num * r + 5.463_784_911_164_114_369_90e+0
            num = num * r + 6.657_904_643_501_103_777_20e+0
            var den = 2.044_263_103_389_939_785_64e-15
            den = den * r + 1.421_511_758_316_445_888_70e-7
            den = den * r + 1.846_318_317_510_054_681_80e-5
            den = den * r + 7.868_691_311_456_132_591_00e-4
            den = den * r + 1.487_536_129_085_061_485_25e-2
            den = den * r + 1.369_298_809_227_358_053_10e-1
            den = den * r + 5.998_322_065_558_879_376_90e-1
            den = den * r + 1
            x = num / den
        }
        return q < 0 ? -x : x
    }

    /// The standard normal quantile of `u = (x + 0.5) / 2^32` for 32-bit digits `x` (a Sobol' point), in single
    /// precision: Wichura's `PPND7` (within 4e-7 relative of `quantile`), branch-free so loops over it vectorise. Both of its
    /// branches are evaluated and one selected; its third branch (r > 5, p < 1.4e-11) is never needed because the
    /// smallest such `u` is 2^-33.
    @inlinable @inline(__always)
    public static func standardNormal(digits x: UInt32) -> Float {
        // Central branch: q = u - 1/2.
        let q = (Float(Int32(bitPattern: x ^ 0x8000_0000)) + 0.5) * 0x1p-32
        let rc = 0.180625 - q * q
        var num: Float = 5.910_937_472_0e+01
        num = num * rc + 1.592_911_320_2e+02
        num = num * rc + 5.043_427_193_8e+01
        num = num * rc + 3.387_132_717_9e+00
        var den: Float = 6.718_756_360_0e+01
        den = den * rc + 7.875_775_766_4e+01
        den = den * rc + 1.789_516_946_9e+01
        den = den * rc + 1
        let central = q * num / den
        // Tail branch: p = min(u, 1 - u), r = sqrt(-log p) - 1.6.
        let mirrored = min(x, ~x)
        let p = (Float(mirrored) + 0.5) * 0x1p-32
        let r = (-GaussianMath.log(p)).magnitude.squareRoot() - 1.6
        var tn: Float = 1.702_382_110_3e-01
        tn = tn * r + 1.306_728_481_6e+00
        tn = tn * r + 2.756_815_390_0e+00
        tn = tn * r + 1.423_437_277_7e+00
        var td: Float = 1.202_113_297_5e-01
        td = td * r + 7.370_016_425_0e-01
        td = td * r + 1
        let tail = tn / td
        let signedTail = x < 0x8000_0000 ? -tail : tail
        return abs(q) <= 0.425 ? central : signedTail
    }

    /// Natural log of a positive normal Double in plain IEEE arithmetic: `x = m * 2^e` with m in [sqrt(1/2), sqrt(2)),
    /// `log m = 2 atanh(s)`, `s = (m - 1) / (m + 1)`, |s| < 0.1716, summed to s^25 (truncation below 1e-19).
    @inlinable
    static func log(_ x: Double) -> Double {
        var e = Int(x.exponent)
        var m = x.significand  // [1, 2)
        if m > 1.414_213_562_373_095_048_8 { m *= 0.5; e += 1 }
        let s = (m - 1) / (m + 1)
        let z = s * s
        var t = 1.0 / 25
        for k in stride(from: 23, through: 3, by: -2) { t = t * z + 1 / Double(k) }
        let logm = 2 * s + 2 * s * z * t
        // ln 2 split in two so e * ln2hi is exact for |e| < 2^11.
        return Double(e) * 6.931_471_803_691_238_164_90e-01 + (Double(e) * 1.908_214_929_270_587_700_02e-10 + logm)
    }
}
