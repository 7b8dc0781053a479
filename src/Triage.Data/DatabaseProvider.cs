namespace Triage.Data;

public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}
