//! The crawler against real HTTP servers on loopback addresses and a real
//! SQLite file: faults confined to their source (issue 4) and the bounds
//! on a crawl's work (issue 14).

mod admission;
mod faults;
mod limits;
