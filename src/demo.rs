//! `bsmart demo`: the reference server in-process on 127.0.0.1 with a temporary database of
//! demo data, then the client against it. It starts both, so it lives above both: the server
//! never imports the client, nor the client the server.

use std::net::SocketAddr;

use crate::cli::{DemoArgs, client_config};
use crate::server::cli::{DemoOptions, print_accounts, start_demo};

/// Start the demo server, print its accounts (the sign-in screen lists them too), and run the
/// client against it until the user quits.
pub async fn run(args: &DemoArgs) -> Result<(), String> {
    // A bad config file is said before anything starts or is printed.
    client_config(
        args.client.config.as_deref(),
        Some("http://127.0.0.1".into()),
        args.client.idle_lock,
    )?;
    let bind: SocketAddr = ([127, 0, 0, 1], 0).into();
    let options = DemoOptions {
        seed: args.seed,
        scale: args.scale,
        quiet: true,
        ..DemoOptions::default()
    };
    let server = start_demo(bind, options).await?;
    let url = format!("http://{}", server.addr);
    print_accounts(&mut std::io::stdout(), &url).map_err(|e| e.to_string())?;
    let config = client_config(args.client.config.as_deref(), Some(url), args.client.idle_lock)?;
    let result = crate::client::run(config).await;
    server.task.abort();
    result
}
