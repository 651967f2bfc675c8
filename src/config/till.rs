//! `stockroom till init | status | sync`: parsed here like every command, run by
//! [`crate::flows::till_sync::cli`], which takes its arguments as words
//! ([`TillCommand::to_args`]).

use clap::Subcommand;
use std::path::PathBuf;

/// A till command.
#[derive(Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum TillCommand {
    /// Make PATH (a new file) a till of the central store at URL: migrate it, record what it
    /// is a till of, and pull central's whole catalog
    Init {
        /// The central store (http://host:port).
        #[arg(long, value_name = "URL")]
        central: String,
        /// A secret API key of central (sk_…).
        #[arg(long, value_name = "KEY")]
        key: String,
        /// The till's store file (must not exist).
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
        /// The till's register code.
        #[arg(long, value_name = "CODE")]
        register: String,
        /// Central's id of the till's point-of-sale sales channel.
        #[arg(long, value_name = "ID")]
        sales_channel: String,
        /// Central's id of the till's stock location (its shop).
        #[arg(long, value_name = "ID")]
        location: String,
    },
    /// What PATH is a till of, its pull cursor and its queue of sales
    Status {
        /// The till's store file.
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
    },
    /// One sync round now (push pending sales, pull changes), for scripts; `stockroom serve`
    /// on a till does this in the background
    Sync {
        /// The till's store file.
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
    },
}

impl TillCommand {
    /// The command as the words `flows::till_sync::cli::run` takes.
    pub fn to_args(&self) -> Vec<String> {
        let path = |p: &PathBuf| p.to_string_lossy().into_owned();
        let words: Vec<String> = match self {
            TillCommand::Init {
                central,
                key,
                db,
                register,
                sales_channel,
                location,
            } => vec![
                "init".into(),
                "--central".into(),
                central.clone(),
                "--key".into(),
                key.clone(),
                "--db".into(),
                path(db),
                "--register".into(),
                register.clone(),
                "--sales-channel".into(),
                sales_channel.clone(),
                "--location".into(),
                location.clone(),
            ],
            TillCommand::Status { db } => vec!["status".into(), "--db".into(), path(db)],
            TillCommand::Sync { db } => vec!["sync".into(), "--db".into(), path(db)],
        };
        words
    }
}
