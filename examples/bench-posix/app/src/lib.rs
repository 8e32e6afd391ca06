//! The app of benchmark device `bench-posix`: its threads are in `c/`.

#![no_std]
