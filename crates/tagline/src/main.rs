//! The tagline binary: wires the CLI to the crawler, the store and the web.
//! One command per module; `run` only dispatches.

mod alias_cmd;
mod app;
mod batch;
mod bench_cmd;
mod cli;
mod config;
mod crawl_cmd;
mod demo;
mod enrich_cmd;
mod enrich_queue_cmd;
mod extract_cmd;
mod feed_cmd;
mod hash_password_cmd;
mod migrate_cmd;
mod prune_cmd;
mod reindex_cmd;
mod serve_cmd;
mod sources_cmd;
mod synth;

// DOM building, tokenising and the web's rendering allocate many small
// objects on every core; mimalloc's per-thread heaps do that markedly faster
// than glibc's malloc (see docs/benchmarks.md, extraction).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use alias_cmd::*;
use anyhow::{Context, Result};
use app::*;
use bench_cmd::*;
use clap::Parser;
use cli::{AddArgs, Cli, Command, CrawlArgs, ServeArgs, SourcesCommand};
use config::FileConfig;
use crawl_cmd::*;
use crawler::{CrawlConfig, CrawlReport, Crawler};
use enrich_queue_cmd::*;
use fetch::{FetchConfig, Fetcher, Guard};
use hash_password_cmd::*;
use migrate_cmd::*;
use model::Clock;
use prune_cmd::*;
use reindex_cmd::*;
use serve_cmd::*;
use sources_cmd::*;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use store::prelude::*;
use store::SqliteStore;
use synth::synth_cmd;

fn main() -> std::process::ExitCode {
    // Like other command-line tools, end quietly when the reader of our
    // output goes away (`tagline parse-feed --batch | head`); Rust ignores
    // SIGPIPE by default, which turns it into a panic in println!.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of a signal, before any
    // thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TAGLINE_LOG").unwrap_or_else(|_| "warn,tagline=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    // The batch commands parse hostile input on the global pool: give its
    // threads the crawler's documented stack rather than the 2 MiB default.
    if let Err(e) = rayon::ThreadPoolBuilder::new().stack_size(crawler::CPU_STACK_BYTES).build_global() {
        tracing::warn!(error = %e, "could not size the CPU pool's stacks");
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<std::process::ExitCode> {
    use std::process::ExitCode;
    match &cli.command {
        Command::Classify => enrich_cmd::classify().map(|_| ExitCode::SUCCESS),
        Command::Train(cli::TrainCommand::Category(args)) => {
            enrich_cmd::train_category(args).map(|_| ExitCode::SUCCESS)
        }
        Command::Tag(args) => {
            let mut params = enrich::keyphrase::RankParams::default();
            params.position_decay = args.position_decay.unwrap_or(params.position_decay);
            params.idf_power = args.idf_power.unwrap_or(params.idf_power);
            enrich_cmd::tag(&params).map(|_| ExitCode::SUCCESS)
        }
        Command::Dedup { threshold } => enrich_cmd::dedup(*threshold).map(|_| ExitCode::SUCCESS),
        Command::Cluster(args) => enrich_cmd::cluster(args.threshold, args.merge_threshold).map(|_| ExitCode::SUCCESS),
        Command::ParseFeed(args) => Ok(if feed_cmd::run(args)? { ExitCode::SUCCESS } else { ExitCode::FAILURE }),
        Command::Extract(args) => Ok(if extract_cmd::run(args)? { ExitCode::SUCCESS } else { ExitCode::FAILURE }),
        Command::Demo(args) => demo::run(args, &cli).await.map(|_| ExitCode::SUCCESS),
        Command::Sources(SourcesCommand::Add(args)) => {
            add_source(&App::open(&cli).await?, args).await.map(|_| ExitCode::SUCCESS)
        }
        Command::Sources(SourcesCommand::Rules(args)) => {
            set_rules(&App::open(&cli).await?, args).await.map(|_| ExitCode::SUCCESS)
        }
        Command::Sources(SourcesCommand::Import(args)) => {
            import_opml(&App::open(&cli).await?, args).await.map(|_| ExitCode::SUCCESS)
        }
        Command::Sources(SourcesCommand::Export) => {
            export_opml(&App::open(&cli).await?).await.map(|_| ExitCode::SUCCESS)
        }
        Command::Sources(SourcesCommand::List) => {
            list_sources(&App::open(&cli).await?).await.map(|_| ExitCode::SUCCESS)
        }
        Command::Crawl(args) => crawl(&App::open(&cli).await?, args).await,
        Command::Serve(args) => serve(App::open(&cli).await?, args).await.map(|_| ExitCode::SUCCESS),
        Command::Reindex => reindex(&App::open(&cli).await?).await.map(|_| ExitCode::SUCCESS),
        Command::Enrich => enrich_queue(&App::open(&cli).await?).await.map(|_| ExitCode::SUCCESS),
        Command::HashPassword => hash_password().map(|_| ExitCode::SUCCESS),
        Command::MigrateStore(args) => migrate_store(args).await.map(|_| ExitCode::SUCCESS),
        Command::Prune(args) => prune(&App::open(&cli).await?, args).await.map(|_| ExitCode::SUCCESS),
        Command::Pin(args) => pin(&App::open(&cli).await?, args).await.map(|_| ExitCode::SUCCESS),
        Command::Alias(cmd) => alias_cmd(&App::open(&cli).await?, cmd).await.map(|_| ExitCode::SUCCESS),
        Command::Synth(args) => synth_cmd(&App::open(&cli).await?, args.articles).await.map(|_| ExitCode::SUCCESS),
        Command::Bench(cli::BenchCommand::Search { queries }) => {
            bench_search(&App::open(&cli).await?, *queries).await.map(|_| ExitCode::SUCCESS)
        }
        Command::Bench(cli::BenchCommand::Cluster { articles }) => {
            bench_cluster(&App::open(&cli).await?, *articles).await.map(|_| ExitCode::SUCCESS)
        }
        Command::Bench(cli::BenchCommand::Pages { requests }) => {
            bench_pages(&App::open(&cli).await?, *requests).await.map(|_| ExitCode::SUCCESS)
        }
    }
}
