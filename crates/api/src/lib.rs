//! The vocabulary of Marquee's APIs, without I/O: Ghost's NQL filter language (`nql`), Admin
//! API keys and tokens (`token`), and the ids the Ghost-compatible API gives Marquee's rows
//! (`ids`).

pub mod ids;
pub mod nql;
pub mod token;

#[cfg(test)]
mod proptests;
