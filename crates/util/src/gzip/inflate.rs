//! One-call inflate of a whole single-member gzip file with libdeflate
//! (about twice the speed of streaming zlib-rs on CloudTrail files).
//!
//! This is the crate's one `unsafe` code: libdeflate's C interface called
//! through `libdeflate-sys`. The safe `libdeflater` wrapper cannot be used
//! because it does not say how much input a call consumed, and without that a
//! file of several members would silently lose every member after the first
//! (`libdeflate_gzip_decompress` stops after one member); only
//! `libdeflate_gzip_decompress_ex` reports it.

use std::ptr::NonNull;

use libdeflate_sys::{
    libdeflate_alloc_decompressor, libdeflate_decompressor, libdeflate_free_decompressor,
    libdeflate_gzip_decompress_ex, libdeflate_result_LIBDEFLATE_SUCCESS,
};

/// A libdeflate decompressor, owned by one worker (it is neither `Send` nor
/// `Sync`: it holds a raw pointer).
pub(super) struct Decompressor(NonNull<libdeflate_decompressor>);

impl Decompressor {
    /// A new decompressor; `None` if libdeflate could not allocate one.
    pub(super) fn new() -> Option<Decompressor> {
        // SAFETY: a plain allocation call with no arguments; a null result is
        // handled by `NonNull::new`.
        NonNull::new(unsafe { libdeflate_alloc_decompressor() }).map(Decompressor)
    }

    /// Inflates `gz`, which must be exactly one gzip member whose content is
    /// `size` bytes, into `out` (replacing what it held). Returns whether it
    /// was: `false` for bad data (CRC or size mismatch included), content
    /// larger than `size`, or bytes after the member (another member or
    /// garbage) — `out` is then empty and the caller streams the file instead.
    pub(super) fn inflate_member(&mut self, gz: &[u8], out: &mut Vec<u8>, size: usize) -> bool {
        out.clear();
        out.reserve_exact(size);
        let mut consumed = 0usize;
        let mut produced = 0usize;
        // SAFETY: `self.0` is a live decompressor (freed only on drop) used by
        // this thread alone (`&mut self`). The input pointer and length are
        // those of one live slice. The output pointer is `out`'s allocation,
        // which has at least `size` bytes of capacity (reserved above, length
        // 0), and libdeflate writes at most `out_nbytes_avail = size` bytes
        // there. On success libdeflate has written exactly `produced` bytes
        // from the start of the output, so the length is set to no more than
        // what was initialised, and never above the capacity.
        unsafe {
            let result = libdeflate_gzip_decompress_ex(
                self.0.as_ptr(),
                gz.as_ptr().cast(),
                gz.len(),
                out.as_mut_ptr().cast(),
                size,
                &mut consumed,
                &mut produced,
            );
            if result != libdeflate_result_LIBDEFLATE_SUCCESS || produced > size {
                return false;
            }
            out.set_len(produced);
        }
        if consumed != gz.len() || produced != size {
            out.clear();
            return false;
        }
        true
    }
}

impl Drop for Decompressor {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `libdeflate_alloc_decompressor` and is
        // freed once, here.
        unsafe { libdeflate_free_decompressor(self.0.as_ptr()) }
    }
}
