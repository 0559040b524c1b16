//! AI and ML platforms: OpenAI, Anthropic, Hugging Face, Replicate, Groq. Keys are billed
//! per use and often grant access to uploaded (possibly sensitive) data. PCI DSS 8.6.2.

use super::{Check, Detector};
use cdeguard_model::Severity;

pub(super) const DETECTORS: &[Detector] = &[
    Detector {
        id: "openai-api-key",
        provider: "OpenAI",
        title: "OpenAI API key",
        keywords: &["t3blbkfj"],
        pattern: r"\b(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,74}T3BlbkFJ[A-Za-z0-9_-]{20,74})\b",
        check: Check::None,
        severity: Severity::High,
    },
    Detector {
        id: "anthropic-api-key",
        provider: "Anthropic",
        title: "Anthropic API key",
        keywords: &["sk-ant-"],
        pattern: r"\b(sk-ant-(?:api03|admin01)-[A-Za-z0-9_\-]{93}AA)",
        check: Check::None,
        severity: Severity::High,
    },
    Detector {
        id: "huggingface-token",
        provider: "Hugging Face",
        title: "Hugging Face access token",
        keywords: &["hf_"],
        pattern: r"\b(hf_[A-Za-z]{34})\b",
        check: Check::Entropy(3.5),
        severity: Severity::Medium,
    },
    Detector {
        id: "replicate-token",
        provider: "Replicate",
        title: "Replicate API token",
        keywords: &["r8_"],
        pattern: r"\b(r8_[A-Za-z0-9]{37})\b",
        check: Check::None,
        severity: Severity::Medium,
    },
    Detector {
        id: "groq-api-key",
        provider: "Groq",
        title: "Groq API key",
        keywords: &["gsk_"],
        pattern: r"\b(gsk_[A-Za-z0-9]{52})\b",
        check: Check::None,
        severity: Severity::Medium,
    },
];
