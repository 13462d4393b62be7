using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using LicenseManager.Core.Domain;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Web.Infrastructure.Lists;

/// <summary>A column a list can be sorted by: a key selector, with Id as the tie-breaker. Nulls always sort last.</summary>
public sealed class SortColumn<T>(string name, string label, LambdaExpression key)
{
    public string Name { get; } = name;
    public string Label { get; } = label;
    public LambdaExpression Key { get; } = key;
    public Type KeyType => Key.ReturnType;
    public bool IsNullable => !KeyType.IsValueType || Nullable.GetUnderlyingType(KeyType) is not null;
    private Delegate? _compiled;
    internal object? ValueOf(T row) => (_compiled ??= Key.Compile()).DynamicInvoke(row);
}

public static class SortColumn
{
    public static SortColumn<T> For<T, TKey>(string name, string label, Expression<Func<T, TKey>> key) => new(name, label, key);
}

/// <summary>One page of a list and the cursor of the next one.</summary>
public sealed record Page<T>(IReadOnlyList<T> Rows, string? NextCursor);

/// <summary>
/// Keyset (seek) paging over any sort column, the one query path of every list view, the CSV export and the API's
/// lists. A page costs an index seek, however deep: no OFFSET. Rows whose key is null come after all others, in Id
/// order, on every provider (the providers disagree about where NULL sorts, so the null segment is queried apart).
/// </summary>
public static class Keyset
{
    public static async Task<Page<TEntity>> PageAsync<TEntity>(IQueryable<TEntity> query, SortColumn<TEntity> column, bool descending,
        string? cursor, int size, CancellationToken ct) where TEntity : AuditedEntity
    {
        var id = IdOf<TEntity>.Expression;
        var position = Cursor.Parse(cursor, column);
        var rows = new List<TEntity>(size + 1);

        if (position is null || !position.InNullSegment)
        {
            var nonNull = column.IsNullable ? query.Where(NotNull(column)) : query;
            if (position is not null) nonNull = nonNull.Where(After(column, id, position.Value, position.Id, descending));
            rows.AddRange(await Order(nonNull, column.Key, id, descending).Take(size + 1).ToListAsync(ct));
        }
        if (column.IsNullable && rows.Count <= size)
        {
            var nulls = query.Where(IsNull(column));
            if (position is { InNullSegment: true }) nulls = nulls.Where(IdAfter(id, position.Id, descending));
            var ordered = descending ? nulls.OrderByDescending(id) : nulls.OrderBy(id);
            rows.AddRange(await ordered.Take(size + 1 - rows.Count).ToListAsync(ct));
        }

        if (rows.Count <= size) return new Page<TEntity>(rows, null);
        rows.RemoveAt(size);
        var last = rows[^1];
        var lastKey = column.ValueOf(last);
        return new Page<TEntity>(rows, Cursor.Format(lastKey is null && column.IsNullable, lastKey, last.Id));
    }

    /// <summary>True when the cursor is one this list gave for this sort column.</summary>
    public static bool Fits<T>(string cursor, SortColumn<T> column) => Cursor.Parse(cursor, column) is not null;

    private static IOrderedQueryable<T> Order<T>(IQueryable<T> query, LambdaExpression key, Expression<Func<T, long>> id, bool descending)
    {
        var method = descending ? nameof(Queryable.OrderByDescending) : nameof(Queryable.OrderBy);
        var ordered = (IOrderedQueryable<T>)query.Provider.CreateQuery<T>(Expression.Call(typeof(Queryable), method,
            [typeof(T), key.ReturnType], query.Expression, Expression.Quote(key)));
        return descending ? ordered.ThenByDescending(id) : ordered.ThenBy(id);
    }

    private static Expression<Func<T, bool>> NotNull<T>(SortColumn<T> column) =>
        Expression.Lambda<Func<T, bool>>(Expression.NotEqual(column.Key.Body, Expression.Constant(null, column.KeyType)), column.Key.Parameters);

    private static Expression<Func<T, bool>> IsNull<T>(SortColumn<T> column) =>
        Expression.Lambda<Func<T, bool>>(Expression.Equal(column.Key.Body, Expression.Constant(null, column.KeyType)), column.Key.Parameters);

    private static Expression<Func<T, bool>> IdAfter<T>(Expression<Func<T, long>> id, long after, bool descending)
    {
        var value = Parameterized(after);
        return Expression.Lambda<Func<T, bool>>(descending ? Expression.LessThan(id.Body, value) : Expression.GreaterThan(id.Body, value), id.Parameters);
    }

    /// <summary>key &gt; v OR (key = v AND id &gt; lastId), mirrored for descending order.</summary>
    private static Expression<Func<T, bool>> After<T>(SortColumn<T> column, Expression<Func<T, long>> id, object value, long lastId, bool descending)
    {
        var parameter = column.Key.Parameters[0];
        var key = column.Key.Body;
        var keyType = Nullable.GetUnderlyingType(column.KeyType) ?? column.KeyType;
        if (key.Type != keyType) key = Expression.Convert(key, keyType);
        if (keyType.IsEnum)
        {
            key = Expression.Convert(key, typeof(int));
            value = Convert.ToInt32(value, CultureInfo.InvariantCulture);
            keyType = typeof(int);
        }
        var constant = Parameterized(value, keyType);
        var idBody = new ParameterReplacer(id.Parameters[0], parameter).Visit(id.Body);
        var idConstant = Parameterized(lastId);

        Expression beyond, equal;
        if (keyType == typeof(string))
        {
            var compare = Expression.Call(typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!, key, constant);
            beyond = descending ? Expression.LessThan(compare, Expression.Constant(0)) : Expression.GreaterThan(compare, Expression.Constant(0));
            equal = Expression.Equal(key, constant);
        }
        else
        {
            beyond = descending ? Expression.LessThan(key, constant) : Expression.GreaterThan(key, constant);
            equal = Expression.Equal(key, constant);
        }
        var tie = descending ? Expression.LessThan(idBody, idConstant) : Expression.GreaterThan(idBody, idConstant);
        return Expression.Lambda<Func<T, bool>>(Expression.OrElse(beyond, Expression.AndAlso(equal, tie)), parameter);
    }

    /// <summary>A captured value, so EF sends a parameter (one cached plan) instead of a literal.</summary>
    private static Expression Parameterized(object value, Type? type = null)
    {
        type ??= value.GetType();
        var holder = Activator.CreateInstance(typeof(Holder<>).MakeGenericType(type), value)!;
        return Expression.Property(Expression.Constant(holder), "Value");
    }

    private static class IdOf<T> where T : AuditedEntity
    {
        public static readonly Expression<Func<T, long>> Expression = e => e.Id;
    }

    private sealed class Holder<TValue>(TValue value)
    {
        public TValue Value { get; } = value;
    }

    private sealed class ParameterReplacer(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }

    /// <summary>The position after the last row of a page: segment, key value and id, URL-safe.</summary>
    private sealed record Cursor(bool InNullSegment, object Value, long Id)
    {
        public static string Format(bool nullSegment, object? key, long id)
        {
            var text = key switch
            {
                null => "",
                DateTime t => t.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture),
                DateOnly d => d.DayNumber.ToString(CultureInfo.InvariantCulture),
                Enum e => Convert.ToInt32(e, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => key.ToString() ?? "",
            };
            var raw = $"{(nullSegment ? 'n' : 'v')}|{id.ToString(CultureInfo.InvariantCulture)}|{text}";
            return Convert.ToBase64String(Encoding.UTF8.GetBytes(raw)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        }

        /// <summary>Null for the first page, or for a cursor that doesn't fit the column (a tampered or stale link starts over).</summary>
        public static Cursor? Parse<T>(string? cursor, SortColumn<T> column)
        {
            if (string.IsNullOrEmpty(cursor) || cursor.Length > 1024) return null;
            try
            {
                var b64 = cursor.Replace('-', '+').Replace('_', '/');
                b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
                var parts = Encoding.UTF8.GetString(Convert.FromBase64String(b64)).Split('|', 3);
                if (parts.Length != 3 || parts[0] is not ("n" or "v") || !long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var id)) return null;
                if (parts[0] == "n") return new Cursor(true, "", id);
                var type = Nullable.GetUnderlyingType(column.KeyType) ?? column.KeyType;
                object value = type switch
                {
                    _ when type == typeof(string) => parts[2],
                    _ when type == typeof(DateTime) => new DateTime(long.Parse(parts[2], CultureInfo.InvariantCulture), DateTimeKind.Utc),
                    _ when type == typeof(DateOnly) => DateOnly.FromDayNumber(int.Parse(parts[2], CultureInfo.InvariantCulture)),
                    _ when type.IsEnum => Enum.ToObject(type, int.Parse(parts[2], CultureInfo.InvariantCulture)),
                    _ when type == typeof(bool) => bool.Parse(parts[2]),
                    _ => Convert.ChangeType(parts[2], type, CultureInfo.InvariantCulture),
                };
                return new Cursor(false, value, id);
            }
            catch (Exception e) when (e is FormatException or OverflowException or ArgumentException or InvalidCastException)
            {
                return null;
            }
        }
    }
}
