//! The last line of defence: a panic anywhere in the pipeline becomes an internal-error
//! diagnostic that names the part of the document being processed, so the user gets a
//! located report instead of a crash, and nothing is written.
//!
//! Each stage says where it is with [`at`] (a JSON pointer per component, operation or
//! type), kept per thread; [`catch`] turns a panic into a [`Panic`] carrying the last
//! place its thread reached.

use crate::diagnostics::{Diagnostic, Diagnostics};
use std::any::Any;
use std::cell::RefCell;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

thread_local! {
    static AT: RefCell<String> = RefCell::new(String::from("#"));
}

/// Records that this thread is now processing the document at `pointer`.
pub(crate) fn at(pointer: &str) {
    AT.with(|at| {
        let mut at = at.borrow_mut();
        at.clear();
        at.push_str(pointer);
    });
}

fn current() -> String {
    AT.with(|at| at.borrow().clone())
}

/// A panic caught in the pipeline, and where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Panic {
    pub pointer: String,
    pub message: String,
}

impl Panic {
    /// The diagnostic the user sees, located in `source`.
    pub(crate) fn into_diagnostics(self, file: &str, source: &str) -> Diagnostics {
        let mut diagnostics = Diagnostics::new(file);
        diagnostics.push(
            Diagnostic::error(
                self.pointer,
                format!(
                    "internal error in the generator while processing this part of the document: {}",
                    self.message
                ),
            )
            .with_hint(
                "this is a bug in the generator, not in your document; nothing was written. \
                 Please report it with the document (or the part at this pointer)",
            ),
        );
        diagnostics.locate(source);
        diagnostics
    }
}

/// Runs `work`, turning a panic into a [`Panic`]. A panic that is already a [`Panic`]
/// (caught on another thread and resumed here with [`rethrow`]) keeps its place.
pub(crate) fn catch<T>(work: impl FnOnce() -> T) -> Result<T, Panic> {
    at("#");
    catch_unwind(AssertUnwindSafe(work)).map_err(|payload| match payload.downcast::<Panic>() {
        Ok(panic) => *panic,
        Err(payload) => Panic {
            pointer: current(),
            message: text(payload.as_ref()),
        },
    })
}

/// Resumes a [`Panic`] from another thread in this one, for its [`catch`] to report.
pub(crate) fn rethrow(panic: Panic) -> ! {
    resume_unwind(Box::new(panic))
}

fn text(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_names_the_last_place_reached() {
        let caught = catch(|| {
            at("#/components/schemas/A");
            at("#/paths/~1a/get");
            panic!("Ident cannot be a number");
        })
        .unwrap_err();
        assert_eq!(
            caught,
            Panic {
                pointer: "#/paths/~1a/get".to_owned(),
                message: "Ident cannot be a number".to_owned(),
            }
        );
        let diagnostics = caught.into_diagnostics(
            "spec.yaml",
            "paths:\n  /a:\n    get:\n      responses: {}\n",
        );
        let text = diagnostics.to_string();
        assert!(
            text.contains("error: internal error in the generator"),
            "{text}"
        );
        assert!(text.contains("spec.yaml:3:5"), "{text}");
        assert!(text.contains("Please report it"), "{text}");
    }

    #[test]
    fn a_panic_on_another_thread_keeps_its_place() {
        let caught = catch(|| {
            let worker = std::thread::spawn(|| {
                catch(|| {
                    at("#/components/schemas/B");
                    panic!("{}", String::from("boom"));
                })
            });
            match worker.join() {
                Ok(Err(panic)) => rethrow(panic),
                _ => unreachable!("the worker panics"),
            }
        })
        .unwrap_err();
        assert_eq!(caught.pointer, "#/components/schemas/B");
        assert_eq!(caught.message, "boom");
    }

    #[test]
    fn work_that_finishes_comes_back() {
        assert_eq!(catch(|| 7), Ok(7));
    }
}
