using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Triage.Data.Import;

/// <summary>
/// Rows of mapped entities for <see cref="ImportStore.InsertAsync"/>: the table, its columns and each entity's values as
/// the provider stores them, read from the EF model (value converters applied), so a bulk write of derived rows (weekly
/// snapshots, the metrics ledger) stays in step with the mapping. Store-generated keys are left to the database.
/// </summary>
internal sealed class EntityRows<T> where T : class
{
    private readonly (IProperty Property, Func<T, object?> Read)[] _columns;

    public EntityRows(IModel model)
    {
        var type = model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped");
        Table = type.GetTableName() ?? throw new InvalidOperationException($"{typeof(T).Name} has no table");
        var table = StoreObjectIdentifier.Table(Table, type.GetSchema());
        _columns = type.GetProperties()
            .Where(p => !(p.IsPrimaryKey() && p.ValueGenerated != ValueGenerated.Never))
            .Select(p =>
            {
                var getter = p.GetGetter();
                var converter = p.GetTypeMapping().Converter;
                Func<T, object?> read = converter is null
                    ? e => getter.GetClrValue(e)
                    : e => getter.GetClrValue(e) is { } v ? converter.ConvertToProvider(v) : null;
                return (p, read);
            })
            .ToArray();
        Columns = _columns.Select(c => c.Property.GetColumnName(table) ?? c.Property.Name).ToArray();
    }

    public string Table { get; }

    public string[] Columns { get; }

    public List<object?[]> Of(IEnumerable<T> entities) =>
        entities.Select(e =>
        {
            var row = new object?[_columns.Length];
            for (var i = 0; i < row.Length; i++) row[i] = _columns[i].Read(e);
            return row;
        }).ToList();
}
