//! Built-in modules and functions: builtins, time, math, random, sys, asyncio.
pub mod random;
