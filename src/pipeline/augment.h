// Training-time augmentation of windows, on the host: random gain, time shift and additive white
// Gaussian noise on the signal, SpecAugment-style time and frequency masks on spectrogram-like
// features. Every random choice comes from the caller's generator, drawn in a fixed order with
// Kiln's own arithmetic, so a seed gives the same augmented data on every platform and library.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "project/project_config.h"

namespace kiln::pipeline {

// The standard fixes mt19937_64's output sequence for a seed (unlike the std distributions).
using Rng = std::mt19937_64;

// Uniform in [0, 1): the top 53 bits of one draw, so every value is exact in a double.
double uniform01(Rng& rng);
// Uniform integer in [lo, hi] (lo <= hi), without modulo bias (rejection of the ragged top).
int64_t uniform_int(Rng& rng, int64_t lo, int64_t hi);
// Standard normal by the Box-Muller transform (cosine branch; one value per two draws).
double standard_normal(Rng& rng);

// `samples` holds frames of `axes` interleaved values. In this order, each step only when its
// setting is non-zero (a zero config leaves the samples untouched and draws nothing):
//  0. speed: resampled by a factor r uniform in 1 +- speed_percent/100 (linear interpolation;
//     faster speech ends early and is followed by zeros);
//  1. gain: all samples times 10^(g/20), g uniform in [-gain_db, +gain_db];
//  2. shift: content moves by s frames, s uniform in [-S, +S] with S = floor(time_shift_ms *
//     rate / 1000) capped at the frame count; positive s moves it later; vacated frames are 0;
//  3. noise: each axis gets white Gaussian noise of standard deviation rms / 10^(snr/20), where
//     rms is that axis's RMS after steps 1-2, so the result has the configured SNR per axis;
//     silent axes (rms 0) get none.
// Throws kiln::Error if the sizes do not fit or a shift is asked for at an unusable rate.
void augment_signal(std::vector<float>& samples, int axes, double sample_rate_hz,
                    const project::AugmentationConfig& config, Rng& rng);

// `features` is `frames` rows of `coefficients` values (frame-major, as the DSP blocks write
// them). Draws time_masks masks of mask_width consecutive frames, then frequency_masks masks of
// mask_width consecutive coefficients (a width beyond the axis covers all of it), each at a
// uniform start; masks may overlap. Masked values are set to the mean of the window's features
// before masking, not to 0: the features are log energies or cepstra whose typical level is far
// from 0 unless normalized, and the mean is a value the network sees anyway, so a mask reads as
// "no information" rather than as an extreme. (After normalization the mean is close to 0, so
// this matches SpecAugment's zero fill there.) Throws kiln::Error if the sizes do not fit.
void augment_features(std::vector<float>& features, int frames, int coefficients,
                      const project::AugmentationConfig& config, Rng& rng);

}  // namespace kiln::pipeline
