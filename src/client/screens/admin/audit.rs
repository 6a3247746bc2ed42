//! placeholder
use crate::client::screens::Page;
/// x
pub fn new_page() -> Box<dyn Page> { todo!() }
