//! Files a scenario names (`{ file: }` bodies, `file()`, `save_body`): regular files only.
//! Opening a FIFO blocks until someone writes to it (a whole run hung on one), and devices
//! and `/proc` files report a size of 0 (`/dev/zero` read with no bound filled memory;
//! `/proc` files were sent empty and the step passed), so such paths are refused plainly.

use std::io;
use std::path::Path;

/// The file's metadata when it is a regular file sonde may read or replace; otherwise an
/// error that says what the path is instead.
pub fn regular(path: &Path) -> io::Result<std::fs::Metadata> {
    let metadata = std::fs::metadata(path)?;
    if !metadata.is_file() {
        let kind = kind_of(&metadata);
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("it is {kind}, not a regular file"),
        ));
    }
    // `/proc` and `/sys` files say they are regular and 0 bytes long, then give more.
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if metadata.len() == 0 && (canonical.starts_with("/proc") || canonical.starts_with("/sys")) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is a file of the kernel's /proc or /sys, whose size is not known",
        ));
    }
    Ok(metadata)
}

/// Whether `path` may be written as a body (`save_body`): absent, or a regular file.
pub fn writable(path: &Path) -> io::Result<()> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
        Ok(metadata) if metadata.is_file() => Ok(()),
        Ok(metadata) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("it is {}, not a regular file", kind_of(&metadata)),
        )),
    }
}

fn kind_of(metadata: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        let kind = metadata.file_type();
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if metadata.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn devices_folders_and_proc_files_are_refused_regular_files_taken() {
        let err = |p: &str| super::regular(Path::new(p)).unwrap_err().to_string();
        assert_eq!(err("/dev/zero"), "it is a device, not a regular file");
        assert_eq!(err("/"), "it is a folder, not a regular file");
        assert!(err("/proc/self/status").contains("/proc"));
        let file = tempfile::NamedTempFile::new().unwrap();
        assert!(super::regular(file.path()).is_ok());
        assert!(super::writable(Path::new("/dev/null")).is_err());
        assert!(super::writable(&file.path().with_extension("new")).is_ok());
    }
}
