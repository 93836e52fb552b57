//! The URL map, mirroring httpbin's Flask routes and their allowed methods.

use axum::Router;
use axum::routing::{MethodFilter, any, delete, get, on, patch, post, put};

use super::{
    auth, cache, content, cookies, digest, echo, encoding, fault, middleware, redirect, status,
    stream, timing,
};

/// The methods httpbin lists for its "any method" views.
fn common_methods() -> MethodFilter {
    MethodFilter::GET
        .or(MethodFilter::POST)
        .or(MethodFilter::PUT)
        .or(MethodFilter::DELETE)
        .or(MethodFilter::PATCH)
        .or(MethodFilter::TRACE)
}

pub(crate) fn router() -> Router {
    let routes = Router::new()
        // Request inspection and HTTP methods.
        .route("/get", get(echo::get))
        .route("/post", post(echo::with_body))
        .route("/put", put(echo::with_body))
        .route("/patch", patch(echo::with_body))
        .route("/delete", delete(echo::with_body))
        // Unlike httpbin, `/anything` takes any method token, e.g. QUERY or PURGE.
        .route("/anything", any(echo::anything))
        .route("/anything/", any(echo::anything))
        .route("/anything/{*rest}", any(echo::anything))
        .route("/headers", get(echo::headers))
        .route("/ip", get(echo::ip))
        .route("/user-agent", get(echo::user_agent))
        .route("/uuid", get(echo::uuid))
        // Status codes.
        .route("/status/{codes}", on(common_methods(), status::status))
        // Auth.
        .route("/basic-auth/{user}/{password}", get(auth::basic))
        .route(
            "/hidden-basic-auth/{user}/{password}",
            get(auth::hidden_basic),
        )
        .route("/bearer", get(auth::bearer))
        .route(
            "/digest-auth/{qop}/{user}/{password}",
            get(digest::default_algorithm),
        )
        .route(
            "/digest-auth/{qop}/{user}/{password}/{algorithm}",
            get(digest::with_algorithm),
        )
        .route(
            "/digest-auth/{qop}/{user}/{password}/{algorithm}/{stale_after}",
            get(digest::with_stale_after),
        )
        // Cookies.
        .route("/cookies", get(cookies::list))
        .route("/cookies/set", get(cookies::set_from_query))
        .route("/cookies/set/{name}/{value}", get(cookies::set_one))
        .route("/cookies/delete", get(cookies::delete))
        // Redirects.
        .route("/redirect/{n}", get(redirect::redirect))
        .route("/relative-redirect/{n}", get(redirect::relative))
        .route("/absolute-redirect/{n}", get(redirect::absolute))
        .route("/redirect-to", any(redirect::redirect_to))
        // Timing and streaming.
        .route("/delay/{seconds}", on(common_methods(), timing::delay))
        .route("/drip", get(timing::drip))
        .route("/stream/{n}", get(stream::json_lines))
        .route("/bytes/{n}", get(stream::random_bytes))
        .route("/stream-bytes/{n}", get(stream::stream_random_bytes))
        .route("/range/{n}", get(stream::range))
        // Compression.
        .route("/gzip", get(encoding::gzip))
        .route("/deflate", get(encoding::deflate))
        .route("/brotli", get(encoding::brotli))
        // Caching and response headers.
        .route("/cache", get(cache::cache))
        .route("/cache/{n}", get(cache::cache_for))
        .route("/etag/{etag}", get(cache::etag))
        .route(
            "/response-headers",
            get(cache::response_headers).post(cache::response_headers),
        )
        // Canned content.
        .route("/json", get(content::json))
        .route("/xml", get(content::xml))
        .route("/html", get(content::html))
        .route("/robots.txt", get(content::robots))
        .route("/deny", get(content::deny))
        .route("/encoding/utf8", get(content::utf8_demo))
        .route("/forms/post", get(content::pizza_form))
        .route("/base64/{value}", get(content::base64_decode))
        .route("/links/{n}", get(content::links_start))
        .route("/links/{n}/{offset}", get(content::links_page))
        .route("/image", get(content::image_negotiated))
        .route("/image/png", get(content::image_png))
        .route("/image/jpeg", get(content::image_jpeg))
        .route("/image/webp", get(content::image_webp))
        .route("/image/svg", get(content::image_svg))
        // Misbehaving on purpose (see fault.rs).
        .route("/fault/{name}", any(fault::endpoint))
        // Applies to the routes above, so it must come after them.
        .method_not_allowed_fallback(middleware::method_not_allowed)
        .fallback(middleware::not_found);
    // `Router::layer` wraps each handler separately, inside the code that adds the
    // `Allow` header; wrapping the whole router lets the middleware see and fix it.
    Router::new()
        .fallback_service(routes)
        .layer(axum::middleware::from_fn(middleware::flask_conventions))
}
