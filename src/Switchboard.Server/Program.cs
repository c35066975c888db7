var app = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder(args).Build();
app.Run();
