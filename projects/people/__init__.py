"""财政局的管理页: departments, units and users (role and data range in one form), a sheet of units and
users imported all or nothing, unlocking a locked account and resetting a password, in Chinese, for the
finance bureau's administrator. Who may use it is asked of projects.permissions."""
