using Switchboard.Common;

namespace Switchboard.Tests.Common;

public class PageRequestTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(int.MaxValue, true)]
    public void IsValidPage_FromOne(int page, bool valid) => Assert.Equal(valid, PageRequest.IsValidPage(page));

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(100, true)]
    [InlineData(101, false)]
    public void IsValidLimit_OneToHundred(int limit, bool valid) => Assert.Equal(valid, PageRequest.IsValidLimit(limit));

    [Fact]
    public void Offset_HugePage_IsClampedNotOverflowed()
    {
        Assert.Equal(40, new PageRequest(3, 20).Offset);
        Assert.Equal(int.MaxValue, new PageRequest(int.MaxValue, 100).Offset);
    }

    [Theory]
    [InlineData(1, 20, 0, 0, false)]
    [InlineData(1, 2, 5, 3, true)]
    [InlineData(2, 2, 5, 3, true)]
    [InlineData(3, 2, 5, 3, false)]
    [InlineData(9, 2, 5, 3, false)]
    public void TotalPagesAndHasMore_OfAListing(int page, int limit, long total, long pages, bool more)
    {
        var request = new PageRequest(page, limit);

        Assert.Equal(pages, request.TotalPages(total));
        Assert.Equal(more, request.HasMore(total));
    }
}
