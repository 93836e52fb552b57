//! `CPython`'s `random` module, just enough of it for `/bytes/{n}?seed=` and
//! `/stream-bytes/{n}?seed=` to return the very bytes httpbin returns for the same
//! seed: the MT19937 generator, `random.seed(int)` and `random.randint(0, 255)`.

const STATE_LEN: usize = 624;
const SHIFT_LEN: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

pub(crate) struct PythonRandom {
    state: [u32; STATE_LEN],
    index: usize,
}

impl PythonRandom {
    /// `random.seed(seed)` for an integer seed; Python seeds with its absolute value.
    pub(crate) fn from_seed(seed: i128) -> Self {
        let mut magnitude = seed.unsigned_abs();
        let mut key = Vec::new();
        while magnitude != 0 {
            // Truncation is the point: the seed is split into 32-bit words.
            key.push(magnitude as u32);
            magnitude >>= 32;
        }
        if key.is_empty() {
            key.push(0);
        }
        let mut generator = Self {
            state: [0; STATE_LEN],
            index: STATE_LEN,
        };
        generator.init_by_array(&key);
        generator
    }

    /// `random.randint(0, 255)`: rejection sampling over 9 random bits.
    pub(crate) fn random_byte(&mut self) -> u8 {
        loop {
            let candidate = self.next_u32() >> (32 - 9);
            if let Ok(byte) = u8::try_from(candidate) {
                return byte;
            }
        }
    }

    pub(crate) fn bytes(&mut self, count: usize) -> Vec<u8> {
        (0..count).map(|_| self.random_byte()).collect()
    }

    fn init_genrand(&mut self, seed: u32) {
        self.state[0] = seed;
        for i in 1..STATE_LEN {
            let previous = self.state[i - 1];
            self.state[i] = 1_812_433_253u32
                .wrapping_mul(previous ^ (previous >> 30))
                .wrapping_add(i as u32);
        }
        self.index = STATE_LEN;
    }

    fn init_by_array(&mut self, key: &[u32]) {
        self.init_genrand(19_650_218);
        let mut i = 1;
        let mut j = 0;
        for _ in 0..STATE_LEN.max(key.len()) {
            let previous = self.state[i - 1];
            self.state[i] = (self.state[i] ^ (previous ^ (previous >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= STATE_LEN {
                self.state[0] = self.state[STATE_LEN - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..STATE_LEN - 1 {
            let previous = self.state[i - 1];
            self.state[i] = (self.state[i]
                ^ (previous ^ (previous >> 30)).wrapping_mul(1_566_083_941))
            .wrapping_sub(i as u32);
            i += 1;
            if i >= STATE_LEN {
                self.state[0] = self.state[STATE_LEN - 1];
                i = 1;
            }
        }
        self.state[0] = UPPER_MASK;
    }

    fn next_u32(&mut self) -> u32 {
        if self.index >= STATE_LEN {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    fn twist(&mut self) {
        for k in 0..STATE_LEN {
            let y = (self.state[k] & UPPER_MASK) | (self.state[(k + 1) % STATE_LEN] & LOWER_MASK);
            let mag = if y & 1 == 1 { MATRIX_A } else { 0 };
            self.state[k] = self.state[(k + SHIFT_LEN) % STATE_LEN] ^ (y >> 1) ^ mag;
        }
        self.index = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_cpython_for_small_and_multi_word_seeds() {
        // python3 -c "import random; random.seed(1); print([random.randint(0,255) for _ in range(16)])"
        assert_eq!(
            PythonRandom::from_seed(1).bytes(16),
            [
                0x44, 0x20, 0x82, 0x3c, 0xfd, 0xe6, 0xf1, 0xc2, 0x6b, 0x30, 0xf9, 0x0e, 0xc7, 0xdd,
                0x01, 0xe4
            ]
        );
        assert_eq!(
            PythonRandom::from_seed(1_234_567_890_123).bytes(16),
            [
                0x67, 0xde, 0x56, 0x4c, 0x8f, 0xa8, 0xe0, 0xd6, 0x5e, 0x07, 0x7f, 0x72, 0xdd, 0x86,
                0x98, 0x99
            ]
        );
        assert_eq!(
            PythonRandom::from_seed(-1).bytes(4),
            PythonRandom::from_seed(1).bytes(4)
        );
    }
}
