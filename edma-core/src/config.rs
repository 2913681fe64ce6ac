//! A channel's static configuration, the claim that proves it was handed
//! out, and the errors of channels (re-exported from `channel`).

use crate::ChannelDir;
use crate::plan::{Limits, PlanError};
#[cfg(doc)]
use crate::{Channel, Controller};

/// Static configuration of a channel.
///
/// ```
/// use edma_core::plan::Limits;
/// use edma_core::{ChannelConfig, ChannelDir};
/// // Read channel 2, elements of at most 64 KiB.
/// let cfg = ChannelConfig::new(ChannelDir::Read, 2)
///     .with_limits(Limits { max_element_len: 0x1_0000, ..Limits::default() });
/// assert_eq!((cfg.dir, cfg.index, cfg.limits.max_element_len), (ChannelDir::Read, 2, 0x1_0000));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChannelConfig {
    /// Direction.
    pub dir: ChannelDir,
    /// Channel number within its direction (0..8).
    pub index: u8,
    /// Plan limits for batches on this channel.
    pub limits: Limits,
}

impl ChannelConfig {
    /// Channel `index` of direction `dir` with default limits.
    ///
    /// ```
    /// use edma_core::{ChannelConfig, ChannelDir};
    /// let cfg = ChannelConfig::new(ChannelDir::Write, 0);
    /// assert_eq!(cfg.limits, edma_core::Limits::default());
    /// ```
    pub fn new(dir: ChannelDir, index: u8) -> Self {
        ChannelConfig {
            dir,
            index,
            limits: Limits::default(),
        }
    }

    /// The same configuration with other limits.
    ///
    /// ```
    /// use edma_core::plan::Limits;
    /// use edma_core::{ChannelConfig, ChannelDir};
    /// let strict = Limits { split: false, ..Limits::default() };
    /// assert!(!ChannelConfig::new(ChannelDir::Write, 1).with_limits(strict).limits.split);
    /// ```
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}

/// A hardware channel handed out by [`Controller::claim`]: proof that it
/// exists on the engine and that no other [`Channel`] drives it. Give it
/// back with [`Controller::release`].
///
/// ```
/// # use edma_backend_mock::{MockConfig, MockEngine};
/// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, MapFormat};
/// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
/// let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
/// let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Write, 3)).unwrap();
/// assert_eq!(claim.config().index, 3);
/// // Only the controller makes claims, and only one per hardware channel.
/// assert!(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 3)).is_err());
/// ```
#[derive(Debug, PartialEq, Eq, Hash)]
#[must_use = "a claimed channel stays claimed until released"]
pub struct Claim {
    pub(crate) cfg: ChannelConfig,
}

impl Claim {
    /// The claimed channel's configuration.
    ///
    /// ```
    /// # use edma_backend_mock::{MockConfig, MockEngine};
    /// # use edma_core::{ChannelConfig, ChannelDir, Controller, Deployment, MapFormat};
    /// # let engine = MockEngine::new(MockConfig::new(MapFormat::HdmaNative));
    /// # let ctrl = Controller::new(&engine, MapFormat::HdmaNative, Deployment::Local);
    /// let claim = ctrl.claim(ChannelConfig::new(ChannelDir::Read, 7)).unwrap();
    /// assert_eq!((claim.config().dir, claim.config().index), (ChannelDir::Read, 7));
    /// ```
    pub fn config(&self) -> &ChannelConfig {
        &self.cfg
    }
}

/// Errors of channel operations. A call that returns an error has written
/// nothing to registers or LL memory.
///
/// ```
/// # use edma_backend_mock::{MockConfig, MockEngine};
/// # use edma_core::{Channel, ChannelConfig, ChannelDir, Controller, Deployment, Entry, MapFormat};
/// use edma_core::channel::ChannelError;
/// # let engine = MockEngine::new(MockConfig::new(MapFormat::EdmaUnroll));
/// # let ctrl = Controller::new(&engine, MapFormat::EdmaUnroll, Deployment::Local);
/// let mut ch = Channel::new(ctrl.claim(ChannelConfig::new(ChannelDir::Write, 0)).unwrap(), engine.ll_region(ChannelDir::Write, 0, 8));
/// let batch = [Entry::new(0, 0x1000, 8)];
/// ch.submit(&ctrl, &batch).unwrap();
/// let err = ch.submit(&ctrl, &batch).unwrap_err();
/// assert_eq!(err, ChannelError::Busy);
/// assert_eq!(err.to_string(), "a batch is already in flight on this channel");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChannelError {
    /// A batch is already in flight on this channel.
    Busy,
    /// The batch was rejected by the planner.
    Plan(PlanError),
    /// The LL region has fewer than 2 slots (one data element plus the link).
    LlTooSmall {
        /// Slots the region has.
        capacity: usize,
    },
    /// The channel number is not below 8.
    BadChannel {
        /// The index given.
        index: u8,
    },
    /// The engine has fewer channels of this direction than the index
    /// asks for (eDMA maps report their counts in `CTRL`).
    NoSuchChannel {
        /// Direction asked for.
        dir: ChannelDir,
        /// Index asked for.
        index: u8,
        /// Channels of that direction the engine has.
        count: u8,
    },
    /// The channel was already handed out by this controller (and not
    /// released): two drivers of one hardware channel would corrupt each
    /// other's batches.
    AlreadyClaimed {
        /// Direction.
        dir: ChannelDir,
        /// Index.
        index: u8,
    },
    /// Remote deployment, but no remote-interrupt target was programmed for
    /// the channel with [`Controller::configure_remote_interrupt`]: the
    /// engine would write its done message (IMWr) to PCI address 0.
    NoRemoteInterrupt,
}

impl From<PlanError> for ChannelError {
    fn from(e: PlanError) -> Self {
        ChannelError::Plan(e)
    }
}

impl core::fmt::Display for ChannelError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ChannelError::Busy => write!(f, "a batch is already in flight on this channel"),
            ChannelError::Plan(e) => write!(f, "batch rejected: {e}"),
            ChannelError::LlTooSmall { capacity } => {
                write!(f, "the LL region has {capacity} slots; it needs at least 2")
            }
            ChannelError::BadChannel { index } => {
                write!(f, "channel number {index} out of range (0..8)")
            }
            ChannelError::NoSuchChannel { dir, index, count } => write!(
                f,
                "{dir:?} channel {index} does not exist: the engine has {count}"
            ),
            ChannelError::AlreadyClaimed { dir, index } => {
                write!(f, "{dir:?} channel {index} is already in use")
            }
            ChannelError::NoRemoteInterrupt => write!(
                f,
                "remote deployment: no remote-interrupt target configured for the channel"
            ),
        }
    }
}

impl core::error::Error for ChannelError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            ChannelError::Plan(e) => Some(e),
            _ => None,
        }
    }
}
