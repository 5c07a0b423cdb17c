//! The allocator, and giving back what it holds: one place for both, since only mimalloc
//! knows how.

/// mimalloc, for the binary, the tests and the benchmarks alike. Against glibc's malloc it made
/// distinct searches 15-18% faster (malloc and free were a tenth of a search's CPU) and index
/// builds at 100,000 entries 12% faster; memory there: 10 MB less at start, 18 MB less after
/// compressing 10,000 new pages, 30-60 MB more at the peak of a build (docs/performance.md, Load test).
/// Built without transparent huge pages: with them, faulting in 2 MiB pages made building
/// 10,000 entries 27% slower.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Hands the memory this thread freed back to the system at once, rather than keeping it for
/// the thread's next allocations: after building an index, and after compressing a page at
/// the best levels.
pub fn release_free_memory() {
    // SAFETY: mi_collect only returns free memory to the system; it has no preconditions.
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
}
