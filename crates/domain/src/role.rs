use std::fmt;

/// What a staff account may do. Ordered: each role can do everything the one before can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Writes and edits their own drafts; cannot publish or schedule.
    Contributor,
    /// Edits and publishes anything.
    Editor,
    /// Also manages staff accounts, sections and publication settings.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Contributor, Role::Editor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Contributor => "contributor",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim().to_ascii_lowercase())
    }

    pub fn can_publish(self) -> bool {
        self >= Role::Editor
    }

    pub fn can_edit_others(self) -> bool {
        self >= Role::Editor
    }

    pub fn can_administer(self) -> bool {
        self == Role::Admin
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_follow_the_ladder() {
        assert!(!Role::Contributor.can_publish());
        assert!(Role::Editor.can_publish() && !Role::Editor.can_administer());
        assert!(Role::Admin.can_administer());
        assert_eq!(Role::parse(" Editor "), Some(Role::Editor));
        assert_eq!(Role::parse("owner"), None);
    }
}
