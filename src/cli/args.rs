//! Clap arguments that several command groups share: the filters of list commands,
//! and show, edit, delete and restore of one record. Typed once here so that every
//! record type offers the same words with the same help.

use clap::{Args, Subcommand};

/// `--json` and the usual filters of list commands.
#[derive(Args, Debug, Default)]
pub struct ListArgs {
    /// Print JSON for scripts.
    #[arg(long)]
    pub json: bool,
    /// Include deleted records.
    #[arg(long)]
    pub deleted: bool,
}

// No doc comments on the two argument structs below: clap would make them the help
// of the commands that take them, which say what they do in their own words.

// `ID --set FIELD=VALUE…`: what every edit command takes.
#[derive(Args, Debug)]
pub struct EditArgs {
    pub id: String,
    #[arg(long = "set", value_name = "FIELD=VALUE", required = true)]
    pub set: Vec<String>,
}

// `ID`: what delete and restore take.
#[derive(Args, Debug)]
pub struct IdArg {
    pub id: String,
}

/// Show, edit, delete and restore: the same for every record type.
#[derive(Subcommand, Debug)]
pub enum Common {
    /// Show one record (by id prefix or unique name).
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Change fields: --set FIELD=VALUE, repeatable; an empty VALUE clears the field.
    Edit(EditArgs),
    /// Delete a record (it can be restored).
    Delete(IdArg),
    /// Restore a deleted record.
    Restore(IdArg),
}
