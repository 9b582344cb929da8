//! The event loop, tasks, timers and clocks (asyncio's machinery). Never parses or compiles.
