//! seed-bench: the original Rust seed (`/work/shared/seed/exec_pool.rs`, included unmodified)
//! under the Java bench's workloads W1-W3 (issue 4), so its figures can be read side by side
//! with the Java harness's ProcessBuilder contender (`dev.execpool.bench.Trial`).
//!
//! Usage: `seed-bench W1 tasks=2000 concurrency=1 [budget=600] [warmup=50] [poll=1000|yield]`
//!        `seed-bench W2 tasks=40 concurrency=2 bytes=25000000`
//!        `seed-bench W3 tasks=500 concurrency=500 sleep=2`
//! Prints one line: `@@result tasks=.. failures=.. wallS=.. tasksPerS=.. MBPerS=.. baseThreads=..
//! peakThreads=.. peakRssMB=..` (same names and meaning as the Java `Trial`).
//!
//! Each task goes through the seed's API as an agent would use it: `ExecPool::spawn(task_id,
//! command, cwd, timeout_secs)`, then `try_collect_by_task(task_id)` until the result is there.
//! The seed has no completion notification, so collecting means polling: by default every
//! `poll` microseconds with `tokio::time::sleep` (tokio's timer rounds up to 1 ms), or
//! `poll=yield` to spin with `tokio::task::yield_now` (no added latency, but burns CPU).
//! The seed's `max_concurrent` is stored but never enforced, so, like the Java `Batch`, the
//! harness keeps at most `concurrency` tasks in flight with a semaphore.
//! A task counts as failed unless its exit code is 0 (and, for W2, stdout is exactly `bytes` long).

#[path = "../../../../../shared/seed/exec_pool.rs"] // ../shared beside the checkout
#[allow(dead_code)]
mod exec_pool;

use exec_pool::ExecPool;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// How a driver waits for its result (the seed only offers polling).
#[derive(Clone, Copy)]
enum Poll {
    Sleep(Duration),
    Yield,
}

fn status_field(field: &str) -> i64 {
    let Ok(text) = std::fs::read_to_string("/proc/self/status") else { return -1 };
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix(field) {
            if let Some(rest) = rest.strip_prefix(':') {
                let digits: String = rest.chars().filter(|c| c.is_ascii_digit()).collect();
                return digits.parse().unwrap_or(-1);
            }
        }
    }
    -1
}

/// Peak thread count, sampled every 5 ms on a thread of its own (which counts, as the Java
/// sampler's does).
struct ThreadSampler {
    running: Arc<AtomicBool>,
    peak: Arc<AtomicI64>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl ThreadSampler {
    fn start() -> Self {
        let running = Arc::new(AtomicBool::new(true));
        let peak = Arc::new(AtomicI64::new(status_field("Threads")));
        let (r, p) = (running.clone(), peak.clone());
        let handle = std::thread::Builder::new()
            .name("resource-sampler".into())
            .spawn(move || {
                while r.load(Ordering::Relaxed) {
                    p.fetch_max(status_field("Threads"), Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(5));
                }
            })
            .expect("sampler thread");
        ThreadSampler { running, peak, handle: Some(handle) }
    }

    fn stop(mut self) -> i64 {
        self.peak.fetch_max(status_field("Threads"), Ordering::Relaxed);
        self.running.store(false, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        self.peak.load(Ordering::Relaxed)
    }
}

struct Outcome {
    done: u64,
    failed: u64,
    bytes: u64,
    wall: f64,
}

/// Mirrors the Java `Batch.run`: submit `tasks` commands, `concurrency` in flight, stop submitting
/// once `budget` seconds have passed, wait for all to complete.
async fn batch(
    pool: &Arc<ExecPool>, prefix: &str, command: &str, tasks: u64, concurrency: usize, budget: f64,
    expect_bytes: i64, timeout_secs: u64, poll: Poll,
) -> Outcome {
    let window = Arc::new(Semaphore::new(concurrency));
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let first_failure = Arc::new(std::sync::Mutex::new(None::<String>));
    let cwd = PathBuf::from("/tmp");
    let start = Instant::now();
    let mut submitted = 0u64;
    while submitted < tasks && start.elapsed().as_secs_f64() < budget {
        let permit = window.clone().acquire_owned().await.expect("semaphore");
        let task_id = format!("{prefix}-{submitted}");
        submitted += 1;
        let (pool, command, cwd) = (Arc::clone(pool), command.to_string(), cwd.clone());
        let (done, failed, bytes, first_failure) = (done.clone(), failed.clone(), bytes.clone(), first_failure.clone());
        tokio::spawn(async move {
            pool.spawn(task_id.clone(), command, cwd, timeout_secs).await;
            let result = loop {
                if let Some(r) = pool.try_collect_by_task(&task_id).await {
                    break r;
                }
                match poll {
                    Poll::Sleep(d) => tokio::time::sleep(d).await,
                    Poll::Yield => tokio::task::yield_now().await,
                }
            };
            let len = result.stdout.len() as i64;
            if result.exit_code != Some(0) || (expect_bytes >= 0 && len != expect_bytes) {
                failed.fetch_add(1, Ordering::Relaxed);
                let mut f = first_failure.lock().unwrap();
                if f.is_none() {
                    *f = Some(format!(
                        "task {} exit={:?} stdout_len={} stderr={:?}",
                        result.task_id, result.exit_code, len, result.stderr.chars().take(300).collect::<String>()
                    ));
                }
            } else {
                bytes.fetch_add(len as u64, Ordering::Relaxed);
            }
            drop(result);
            done.fetch_add(1, Ordering::Relaxed);
            drop(permit);
        });
    }
    // Every task has completed once the whole window is free again.
    let all = window.acquire_many(concurrency as u32).await.expect("semaphore");
    let wall = start.elapsed().as_secs_f64();
    drop(all);
    if let Some(f) = first_failure.lock().unwrap().take() {
        eprintln!("first failure: {f}");
    }
    Outcome {
        done: done.load(Ordering::Relaxed),
        failed: failed.load(Ordering::Relaxed),
        bytes: bytes.load(Ordering::Relaxed),
        wall,
    }
}

/// Writing 5 to clear_refs resets VmHWM, so the RSS peak belongs to the workload (as in Java).
fn reset_rss_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        eprintln!("usage: seed-bench W1|W2|W3 key=value ...");
        std::process::exit(2);
    }
    let workload = args[0].clone();
    let mut p: HashMap<String, String> = HashMap::new();
    for a in &args[1..] {
        let (k, v) = a.split_once('=').unwrap_or_else(|| panic!("not key=value: {a}"));
        p.insert(k.to_string(), v.to_string());
    }
    let get = |k: &str, d: &str| p.get(k).cloned().unwrap_or_else(|| d.to_string());
    let tasks: u64 = get("tasks", "0").parse().expect("tasks");
    let concurrency: usize = get("concurrency", "1").parse().expect("concurrency");
    let budget: f64 = get("budget", "600").parse().expect("budget");
    let timeout_secs: u64 = get("timeout", "600").parse().expect("timeout");
    let poll = match get("poll", "1000").as_str() {
        "yield" => Poll::Yield,
        us => Poll::Sleep(Duration::from_micros(us.parse().expect("poll: microseconds or 'yield'"))),
    };
    let worker_threads: usize = get("workers", "0").parse().expect("workers");

    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all();
    if worker_threads > 0 {
        builder.worker_threads(worker_threads);
    }
    let runtime = builder.build().expect("tokio runtime");

    let base_threads = status_field("Threads");
    let sampler = ThreadSampler::start();
    reset_rss_peak();
    let outcome = runtime.block_on(async {
        // The seed's max_concurrent is never enforced; pass the window size anyway.
        let pool = ExecPool::new(concurrency);
        match workload.as_str() {
            "W1" => {
                let warmup: u64 = get("warmup", "50").parse().expect("warmup");
                batch(&pool, "warm", "true", warmup, concurrency, 60.0, -1, timeout_secs, poll).await;
                batch(&pool, "t", "true", tasks, concurrency, budget, 0, timeout_secs, poll).await
            }
            "W2" => {
                let bytes: i64 = get("bytes", "25000000").parse().expect("bytes");
                let cmd = format!("head -c {bytes} /dev/zero");
                batch(&pool, "t", &cmd, tasks, concurrency, budget, bytes, timeout_secs, poll).await
            }
            "W3" => {
                let cmd = format!("sleep {}", get("sleep", "2"));
                batch(&pool, "t", &cmd, tasks, concurrency, budget, 0, timeout_secs, poll).await
            }
            other => panic!("unknown workload {other}"),
        }
    });
    let peak_threads = sampler.stop();
    let peak_rss_mb = status_field("VmHWM") as f64 / 1024.0;
    println!(
        "@@result tasks={:.6} failures={:.6} wallS={:.6} tasksPerS={:.6} MBPerS={:.6} baseThreads={:.6} peakThreads={:.6} peakRssMB={:.6}",
        outcome.done as f64,
        outcome.failed as f64,
        outcome.wall,
        outcome.done as f64 / outcome.wall,
        outcome.bytes as f64 / 1e6 / outcome.wall,
        base_threads as f64,
        peak_threads as f64,
        peak_rss_mb
    );
    runtime.shutdown_timeout(Duration::from_secs(1));
}
