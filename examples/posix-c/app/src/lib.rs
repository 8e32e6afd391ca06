//! The C app of example device `posix-c`: its threads are in `c/`.

#![no_std]
