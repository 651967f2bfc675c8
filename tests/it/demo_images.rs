//! The demo's images work offline (issue 13): they are files of the fixture, stored in the
//! file module at seed time and served by the server itself at `/static/…` on its own
//! address; the binary carries the demo and its images, so it serves them from any folder.

use crate::common;

use common::{TestApp, binary, config};

/// The first image URL of the first listed product, and the path it names on `app`.
fn first_image(app: &TestApp) -> (String, String) {
    let products = app
        .store_get("/store/products?limit=1&fields=images")
        .json();
    let url = products["products"][0]["images"][0]["url"]
        .as_str()
        .expect("an image")
        .to_string();
    let port = app.addr.rsplit(':').next().unwrap();
    let prefix = format!("http://localhost:{port}/static/");
    assert!(url.starts_with(&prefix), "{url} is on the server's address");
    let path = url
        .trim_start_matches(&format!("http://localhost:{port}"))
        .to_string();
    (url, path)
}

#[test]
fn product_images_are_served_by_the_store_itself() {
    let app = TestApp::start();
    let (url, path) = first_image(&app);
    let reply = app.get(&path);
    assert_eq!(reply.status, 200, "{url}");
    let header = |name: &str| {
        reply
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(header("content-type").as_deref(), Some("image/png"));
    let file = url.rsplit('/').next().unwrap();
    let name = file.split_once('-').unwrap().1;
    let on_disk = std::fs::read(format!("fixtures/demo-images/{name}")).unwrap();
    assert_eq!(reply.body, on_disk, "the bytes of the fixture's file");
}

#[test]
fn a_fixture_may_not_name_files_outside_its_folder() {
    let dir = std::env::temp_dir().join(format!("stockroom-{}-images", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fixture = dir.join("fixture.json");
    let text = r#"{"products": [{"title": "Mug", "handle": "mug", "images": ["../secret.png"],
        "options": [{"title": "Size", "values": ["One"]}],
        "variants": [{"title": "One", "options": {"Size": "One"}, "prices": []}]}]}"#;
    std::fs::write(&fixture, text).unwrap();
    let mut cfg = config();
    cfg.fixture = Some(fixture);
    cfg.demo = false;
    let failed = stockroom::app::start(&cfg, stockroom::Engine::builder());
    std::fs::remove_dir_all(&dir).ok();
    let error = failed.err().expect("refused").to_string();
    assert!(error.contains("../secret.png"), "{error}");
}

#[test]
fn the_binary_serves_the_demo_and_its_images_from_any_folder() {
    let elsewhere = std::env::temp_dir();
    let mut cmd = binary::command();
    cmd.args(["serve", "--demo", "--port", "0"])
        .current_dir(&elsewhere)
        .env_remove("JWT_SECRET")
        .env_remove("COOKIE_SECRET")
        .env("STOCKROOM_FIXTURE_CACHE", "off");
    let server = binary::Server::spawn(cmd);
    let addr = server.addr.clone();
    let key = ("x-publishable-api-key", common::DEMO_KEY);
    let listing = common::client::send(
        &addr,
        "GET",
        "/store/products?limit=1&fields=images",
        &[key],
        None,
    );
    let url = listing.json()["products"][0]["images"][0]["url"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let path = url
        .split_once("/static/")
        .map(|(_, k)| format!("/static/{k}"));
    let image = path.map(|p| common::client::send(&addr, "GET", &p, &[], None));
    drop(server);
    let image = image.expect("an image URL on /static/");
    assert_eq!(image.status, 200);
    assert!(image.body.starts_with(b"\x89PNG"), "a PNG");
}

#[test]
fn a_start_from_the_seeded_image_cache_names_its_own_port() {
    let dir = std::env::temp_dir().join(format!("stockroom-{}-image-cache", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    let cached = || {
        let mut cfg = config();
        cfg.fixture_cache = Some(dir.clone());
        TestApp::with(cfg, stockroom::Engine::builder())
    };
    let filling = cached();
    let (_, path) = first_image(&filling);
    let restored = cached();
    // `first_image` checks the URL names the restored server's port; the file is the same.
    let (_, restored_path) = first_image(&restored);
    assert_eq!(path, restored_path);
    assert_eq!(restored.get(&restored_path).status, 200);
    // A reset goes back to the rebased state, not to the cached one.
    let reset = restored.request("POST", "/test-control/reset", &[], None);
    assert_eq!(reset.status, 200);
    first_image(&restored);
    std::fs::remove_dir_all(&dir).ok();
}
