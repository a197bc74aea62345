//! `tagline hash-password`.

use super::*;

/// Reads a password from stdin and prints its argon2 hash for the
/// configuration's `admin_password_hash`.
pub(crate) fn hash_password() -> Result<()> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).context("reading the password from stdin")?;
    let password = line.trim_end_matches(['\r', '\n']);
    anyhow::ensure!(password.chars().count() >= 8, "use a password of at least 8 characters");
    println!("{}", web::admin::hash_password(password)?);
    Ok(())
}
