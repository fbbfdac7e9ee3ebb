"""承诺通 kernel (门户基础): users, agencies, roles, scope, audit, workdays, notifications… — imports no app."""
