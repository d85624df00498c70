//! Native parts, all from Debian 12 packages found with pkg-config:
//! - libjpeg-turbo's classic libjpeg API (`libjpeg62-turbo-dev`) through `native/jpeg_shim.c`
//!   (streamed, DCT-scaled decode; encode);
//! - libwebp (`libwebp-dev`) through `native/webp_shim.c` (decode with built-in downscaling);
//! - libheif (`libheif-dev`) for HEIC/HEIF/AVIF, through hand-written bindings in src/ffi;
//! - libtiff (`libtiff-dev`) through `native/tiff_shim.c` (TIFFRGBAImage read in bands);
//! - LibRaw (`libraw-dev`) through `native/raw_shim.c` (embedded previews of camera RAWs).

fn main() {
    // Library flags are printed after the shim so the linker sees -ljpeg after its user.
    let jpeg = pkg_config::Config::new()
        .cargo_metadata(false)
        .probe("libjpeg")
        .unwrap_or_else(|err| {
            panic!("libjpeg not found via pkg-config ({err}); install scripts/apt-packages.txt")
        });
    let webp = pkg_config::Config::new()
        .cargo_metadata(false)
        .probe("libwebp")
        .unwrap_or_else(|err| {
            panic!("libwebp not found via pkg-config ({err}); install scripts/apt-packages.txt")
        });
    let tiff = pkg_config::Config::new()
        .cargo_metadata(false)
        .probe("libtiff-4")
        .unwrap_or_else(|err| {
            panic!("libtiff-4 not found via pkg-config ({err}); install scripts/apt-packages.txt")
        });
    // Only the include path: libraw_r's .pc also lists -fopenmp and static-only libraries,
    // while the shared libraw_r already links what it needs.
    let raw = pkg_config::Config::new()
        .cargo_metadata(false)
        .probe("libraw_r")
        .unwrap_or_else(|err| {
            panic!("libraw_r not found via pkg-config ({err}); install scripts/apt-packages.txt")
        });
    if let Err(err) = pkg_config::Config::new().probe("libheif") {
        panic!("libheif not found via pkg-config ({err}); install scripts/apt-packages.txt");
    }
    let mut cc = cc::Build::new();
    cc.file("native/jpeg_shim.c")
        .file("native/webp_shim.c")
        .file("native/tiff_shim.c")
        .file("native/raw_shim.c")
        .opt_level(2)
        .warnings(true);
    for inc in jpeg
        .include_paths
        .iter()
        .chain(&webp.include_paths)
        .chain(&tiff.include_paths)
        .chain(&raw.include_paths)
    {
        cc.include(inc);
    }
    cc.compile("hoist_native_shims");
    for dir in &raw.link_paths {
        println!("cargo:rustc-link-search=native={}", dir.display());
    }
    println!("cargo:rustc-link-lib=raw_r");
    for lib in [&jpeg, &webp, &tiff] {
        for dir in &lib.link_paths {
            println!("cargo:rustc-link-search=native={}", dir.display());
        }
        for name in &lib.libs {
            println!("cargo:rustc-link-lib={name}");
        }
    }
    println!("cargo:rerun-if-changed=native/jpeg_shim.c");
    println!("cargo:rerun-if-changed=native/webp_shim.c");
    println!("cargo:rerun-if-changed=native/tiff_shim.c");
    println!("cargo:rerun-if-changed=native/raw_shim.c");
    println!("cargo:rerun-if-changed=build.rs");
}
