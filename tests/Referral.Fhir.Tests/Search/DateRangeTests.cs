using Referral.Fhir.Features.Search;

namespace Referral.Fhir.Tests.Search;

public sealed class DateRangeTests
{
    [Theory]
    [InlineData("9999")]
    [InlineData("9999-12")]
    [InlineData("9999-12-31")]
    public void Parsing_the_last_period_of_the_calendar_ends_at_max_value(string value)
    {
        Assert.True(DateRange.TryParse(value, out var range));
        Assert.Equal(DateTime.MaxValue, range.End);
    }

    [Fact]
    public void Parsing_a_date_with_milliseconds_covers_that_millisecond_in_utc()
    {
        Assert.True(DateRange.TryParse("2011-12-13T22:28:27.453+01:00", out var range));
        var start = new DateTime(2011, 12, 13, 21, 28, 27, 453, DateTimeKind.Utc);
        Assert.Equal(start, range.Start);
        Assert.Equal(start.AddMilliseconds(1).AddTicks(-1), range.End);
    }
}
