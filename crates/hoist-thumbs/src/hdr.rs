//! HDR HEIF/AVIF (PQ or HLG, usually 10-bit BT.2020) to an 8-bit sRGB preview.
//!
//! Debian 12's libheif (1.15) converts bit depth but knows nothing of transfer functions: a PQ
//! image decoded straight to 8-bit shows its PQ code values, far too dark and flat. We decode
//! at full depth and do what HDR viewers do for an SDR display:
//! 1. signal to display light in nits: PQ with the SMPTE ST 2084 EOTF; HLG with the BT.2100
//!    inverse OETF and its OOTF for a 1000-nit display (system gamma 1.2);
//! 2. BT.2020 primaries to BT.709 (sRGB's), in linear light;
//! 3. scale so BT.2408's HDR reference white (203 nits) is SDR white, and roll off everything
//!    above a knee smoothly toward 1 (highlights keep detail instead of clipping), per pixel
//!    on the largest channel so hues are kept;
//! 4. the sRGB transfer curve, rounded to 8 bits.

/// HDR reference white (ITU-R BT.2408), mapped to SDR white.
const REFERENCE_WHITE_NITS: f32 = 203.0;
/// Below this (relative to reference white) light is kept as is; above it is rolled off.
const KNEE: f32 = 0.75;

/// An HDR transfer function we tone-map.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Transfer {
    hlg: bool,
    bt2020: bool,
}

impl Transfer {
    /// From nclx `transfer_characteristics` (16 PQ, 18 HLG) and `colour_primaries` (9 BT.2020).
    pub(crate) fn from_nclx(transfer: i32, primaries: i32) -> Option<Self> {
        let bt2020 = primaries == 9;
        match transfer {
            16 => Some(Self { hlg: false, bt2020 }),
            18 => Some(Self { hlg: true, bt2020 }),
            _ => None,
        }
    }

    /// Converts one row of little-endian 16-bit samples with `channels` per pixel (3, or 4
    /// with alpha) and appends 8-bit sRGB(A) to `out`, through the image's tables.
    pub(crate) fn rows_to_srgb8(
        &self,
        luts: &Luts,
        row: &[u8],
        channels: usize,
        out: &mut Vec<u8>,
    ) {
        let max = luts.signal.len() - 1;
        for px in row.chunks_exact(channels * 2) {
            let code =
                |i: usize| (u16::from_le_bytes([px[2 * i], px[2 * i + 1]]) as usize).min(max);
            let lin = [
                luts.signal[code(0)],
                luts.signal[code(1)],
                luts.signal[code(2)],
            ];
            let rgb = self.map_linear(lin);
            out.extend(
                rgb.map(|c| luts.srgb[(c.clamp(0.0, 1.0) * SRGB_STEPS as f32 + 0.5) as usize]),
            );
            if channels == 4 {
                out.push((code(3) * 255 / max.max(1)) as u8);
            }
        }
    }

    /// One pixel, signal values 0..1, to sRGB-encoded 0..1 (reference path; the row
    /// conversion uses the same steps through tables).
    #[cfg(test)]
    fn map_pixel(&self, signal: [f32; 3]) -> [f32; 3] {
        let lin = signal.map(|e| self.signal_to_linear(e));
        self.map_linear(lin).map(|c| srgb_oetf(c.clamp(0.0, 1.0)))
    }

    /// Signal 0..1 to linear light relative to reference white. For HLG this is scene light
    /// times the peak; the OOTF's luminance gain is applied per pixel in `map_linear`.
    fn signal_to_linear(&self, e: f32) -> f32 {
        if self.hlg {
            hlg_inverse_oetf(e) * HLG_PEAK_NITS / REFERENCE_WHITE_NITS
        } else {
            pq_eotf(e) / REFERENCE_WHITE_NITS
        }
    }

    /// Linear light (relative to reference white) to display-referred linear 0..1.
    fn map_linear(&self, mut lin: [f32; 3]) -> [f32; 3] {
        if self.hlg {
            // OOTF: display light = peak * Ys^(gamma - 1) * scene light, gamma 1.2.
            let ys = (0.2627 * lin[0] + 0.6780 * lin[1] + 0.0593 * lin[2])
                * (REFERENCE_WHITE_NITS / HLG_PEAK_NITS);
            let gain = if ys > 0.0 { ys.powf(0.2) } else { 0.0 };
            lin = lin.map(|c| c * gain);
        }
        if self.bt2020 {
            lin = bt2020_to_bt709(lin);
        }
        let m = lin[0].max(lin[1]).max(lin[2]);
        if m > KNEE {
            let scale = roll_off(m) / m;
            lin = lin.map(|c| c * scale);
        }
        lin
    }
}

/// Steps of the linear-to-sRGB table (fine enough that 8-bit output never skips a level
/// above the darkest few).
const SRGB_STEPS: usize = 16384;
/// HLG's nominal peak display luminance (BT.2100 reference OOTF).
const HLG_PEAK_NITS: f32 = 1000.0;

/// Per-image tables: code value to linear light, and linear light to 8-bit sRGB. They turn a
/// 12 MP HDR photo's ~100 million `powf` calls into lookups.
pub(crate) struct Luts {
    signal: Vec<f32>,
    srgb: Vec<u8>,
}

impl Luts {
    pub(crate) fn new(t: Transfer, bits: u32) -> Self {
        let max = (1usize << bits.clamp(1, 16)) - 1;
        let signal = (0..=max)
            .map(|c| t.signal_to_linear(c as f32 / max as f32))
            .collect();
        let srgb = (0..=SRGB_STEPS)
            .map(|i| (srgb_oetf(i as f32 / SRGB_STEPS as f32) * 255.0 + 0.5) as u8)
            .collect();
        Self { signal, srgb }
    }
}

/// SMPTE ST 2084: PQ signal 0..1 to display light in nits (0..10000).
fn pq_eotf(e: f32) -> f32 {
    const M1: f32 = 2610.0 / 16384.0;
    const M2: f32 = 2523.0 / 4096.0 * 128.0;
    const C1: f32 = 3424.0 / 4096.0;
    const C2: f32 = 2413.0 / 4096.0 * 32.0;
    const C3: f32 = 2392.0 / 4096.0 * 32.0;
    let p = e.clamp(0.0, 1.0).powf(1.0 / M2);
    10000.0 * ((p - C1).max(0.0) / (C2 - C3 * p)).powf(1.0 / M1)
}

/// BT.2100 HLG inverse OETF: signal 0..1 to normalised scene light 0..1.
fn hlg_inverse_oetf(e: f32) -> f32 {
    const A: f32 = 0.178_832_77;
    const B: f32 = 0.284_668_92;
    const C: f32 = 0.559_910_7;
    let e = e.clamp(0.0, 1.0);
    if e <= 0.5 {
        e * e / 3.0
    } else {
        (((e - C) / A).exp() + B) / 12.0
    }
}

fn bt2020_to_bt709(c: [f32; 3]) -> [f32; 3] {
    [
        (1.6605 * c[0] - 0.5876 * c[1] - 0.0728 * c[2]).max(0.0),
        (-0.1246 * c[0] + 1.1329 * c[1] - 0.0083 * c[2]).max(0.0),
        (-0.0182 * c[0] - 0.1006 * c[1] + 1.1187 * c[2]).max(0.0),
    ]
}

/// Identity below the knee, then an exponential shoulder toward 1 (slope 1 at the knee).
fn roll_off(x: f32) -> f32 {
    if x <= KNEE {
        x
    } else {
        KNEE + (1.0 - KNEE) * (1.0 - (-(x - KNEE) / (1.0 - KNEE)).exp())
    }
}

fn srgb_oetf(c: f32) -> f32 {
    if c <= 0.003_130_8 {
        12.92 * c
    } else {
        1.055 * c.powf(1.0 / 2.4) - 0.055
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_match_the_reference_path() {
        for t in [Transfer::from_nclx(16, 9), Transfer::from_nclx(18, 9)].map(Option::unwrap) {
            let luts = Luts::new(t, 10);
            for code in [0u16, 100, 512, 594, 768, 1023] {
                let mut out = Vec::new();
                let px: Vec<u8> = [code, code / 2, code / 3]
                    .iter()
                    .flat_map(|c| c.to_le_bytes())
                    .collect();
                t.rows_to_srgb8(&luts, &px, 3, &mut out);
                let want = t
                    .map_pixel([code, code / 2, code / 3].map(|c| c as f32 / 1023.0))
                    .map(|c| (c * 255.0 + 0.5) as u8);
                for (a, b) in out.iter().zip(want) {
                    assert!(
                        (*a as i32 - b as i32).abs() <= 1,
                        "{t:?} {code}: {out:?} vs {want:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn reference_white_is_near_sdr_white() {
        // PQ code for 203 nits is about 0.58; HLG's reference white is 0.75.
        let pq = Transfer::from_nclx(16, 9).expect("pq").map_pixel([0.58; 3]);
        let hlg = Transfer::from_nclx(18, 9)
            .expect("hlg")
            .map_pixel([0.75; 3]);
        for v in [pq, hlg] {
            assert!(v.iter().all(|&c| c > 0.9 && c <= 1.0), "{v:?}");
        }
        let black = Transfer::from_nclx(16, 1).expect("pq").map_pixel([0.0; 3]);
        assert_eq!(black, [0.0; 3]);
    }
}
