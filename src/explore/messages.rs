//! Errors as the page shows them, in English and in Chinese. The English is the message the command
//! line prints; the Chinese frames the same located facts (source, key, value, what is allowed) in
//! the glossary's terms, keeping the key, the value and the allowed range as written.

use serde_json::{Value as Json, json};

use crate::error::InputError;

/// `{"en", "zh", "key"}` of an input error; `key` names the control to mark, where there is one.
pub fn both(e: &InputError) -> Json {
    let (zh, key) = match e {
        InputError::OutOfRange {
            file,
            key,
            value,
            allowed,
        } => (
            format!(
                "{}：参数 `{key}` = {value} 不在允许范围内：{allowed}",
                place(file)
            ),
            Some(key),
        ),
        InputError::WrongType {
            file,
            key,
            value,
            expected,
        } => (
            format!(
                "{}：参数 `{key}` = {value} 类型错误，应为：{expected}",
                place(file)
            ),
            Some(key),
        ),
        InputError::UnknownKey { file, key, .. } => {
            (format!("{}：未知参数 `{key}`", place(file)), Some(key))
        }
        InputError::Usage(m) => (format!("无法执行：{}", m.replace("the page", "页面")), None),
        other => (format!("输入有误：{other}"), None),
    };
    json!({ "en": e.to_string(), "zh": zh, "key": key })
}

fn place(file: &str) -> String {
    if file == super::session::SOURCE {
        "页面设置".into()
    } else {
        file.to_string()
    }
}
