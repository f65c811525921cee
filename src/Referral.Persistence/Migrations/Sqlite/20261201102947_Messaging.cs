using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Referral.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Messaging : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "inbox_message",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    BundleIdentifier = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    ReceivedTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ResponseJson = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_inbox_message", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "outbox_message",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Destination = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    StreamKey = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    BundleIdentifier = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Payload = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    NextAttemptTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    DeliveredTicks = table.Column<long>(type: "INTEGER", nullable: true),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_outbox_message", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_inbox_message_BundleIdentifier",
                table: "inbox_message",
                column: "BundleIdentifier",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_outbox_message_BundleIdentifier",
                table: "outbox_message",
                column: "BundleIdentifier",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_outbox_message_DeliveredTicks_NextAttemptTicks",
                table: "outbox_message",
                columns: new[] { "DeliveredTicks", "NextAttemptTicks" });

            migrationBuilder.CreateIndex(
                name: "IX_outbox_message_StreamKey_Id",
                table: "outbox_message",
                columns: new[] { "StreamKey", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "inbox_message");

            migrationBuilder.DropTable(
                name: "outbox_message");
        }
    }
}
