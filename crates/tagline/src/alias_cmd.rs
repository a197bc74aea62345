//! `tagline alias`: tag aliases.

use super::*;

/// `tagline alias add | list | remove`.
pub(crate) async fn alias_cmd(app: &App, cmd: &cli::AliasCommand) -> Result<()> {
    let parse = |s: &str| model::TagName::parse(s).with_context(|| format!("{s:?} is not a tag name"));
    match cmd {
        cli::AliasCommand::Add { alias, tag } => {
            let (alias, tag) = (parse(alias)?, parse(tag)?);
            let moved = app.store.add_tag_alias(&alias, &tag).await?;
            println!("#{alias} now stands for #{tag}; {moved} articles moved");
            println!("(the search index keeps the old tag until `tagline reindex`)");
        }
        cli::AliasCommand::List => {
            for a in app.store.tag_aliases().await? {
                println!("#{} -> #{}", a.alias, a.tag);
            }
        }
        cli::AliasCommand::Remove { alias } => {
            let alias = parse(alias)?;
            anyhow::ensure!(app.store.remove_tag_alias(&alias).await?, "#{alias} is not an alias");
            println!("#{alias} is no longer an alias");
        }
    }
    Ok(())
}
